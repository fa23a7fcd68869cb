"""API schemas every app's endpoints share."""

import datetime as dt

from ninja import Schema


class StepOut(Schema):
    """One step of a row's history (``core.workflow.Workflow.timeline``)."""

    at: dt.datetime
    action: str
    action_label: str
    status: str
    status_label: str
    note: str
    by: str
