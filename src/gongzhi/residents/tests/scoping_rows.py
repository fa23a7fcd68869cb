"""The residents app's rows of the scoping matrix, one module per part."""

from .scoping_rows_care import PLACE_NAMES as CARE_NAMES
from .scoping_rows_care import ROWS as CARE_ROWS
from .scoping_rows_imports import ROWS as IMPORT_ROWS
from .scoping_rows_people import PLACE_NAMES as PEOPLE_NAMES
from .scoping_rows_people import ROWS as PEOPLE_ROWS
from .scoping_rows_properties import PLACE_NAMES as PROPERTY_NAMES
from .scoping_rows_properties import ROWS as PROPERTY_ROWS

ROWS = PEOPLE_ROWS + IMPORT_ROWS + CARE_ROWS + PROPERTY_ROWS
PLACE_NAMES = {**PEOPLE_NAMES, **CARE_NAMES, **PROPERTY_NAMES}
