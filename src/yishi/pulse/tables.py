from piccolo.columns import ForeignKey, Integer, Real
from piccolo.table import Table

from yishi.places.tables import District


class PulseSettings(Table, tablename="pulse_settings"):
    """A district's early-warning rule (民情热度表); a district without a row uses the defaults."""

    district = ForeignKey(District, null=False, unique=True)
    factor = Real(default=3.0)
    min_count = Integer(default=5)
    weeks = Integer(default=8)
