"""Every write of selections: kinds, running a selection, nominations and
review, voting, publicity and what follows the honour.

Events announced through ``core.hooks`` (inside the writing transaction):

- ``selections.nominated`` (``nomination``): a nomination was made or put
  forward from the level below;
- ``selections.nomination_changed`` (``nomination``, ``action``): consent,
  decline, approve, reject or withdraw;
- ``selections.vote_closed`` (``selection``): the vote was counted;
- ``selections.objection_raised`` (``objection``) and
  ``selections.objection_answered`` (``objection``);
- ``selections.honoured`` (``selection``): its winners were honoured.
"""
