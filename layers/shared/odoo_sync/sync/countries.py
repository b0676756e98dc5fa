"""ISO 3166-1 alpha-2 country codes (plus XK, which Odoo ships for Kosovo)."""

from __future__ import annotations

import re

from odoo_sync.sync.issues import InvalidValueError, IssueCode, describe_value

ISO_COUNTRY_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
    BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
    GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
    KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
    MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
    TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
    ZW XK
    """.split()  # noqa: SIM905 - a block of codes reads better than 250 quoted strings
)

# Codes people use that ISO does not: suggest the real one instead of guessing silently.
_COMMON_MISTAKES = {"UK": "GB", "EL": "GR"}
_SHAPE = re.compile(r"^[A-Za-z]{2}$")


def normalise_country_code(value: object) -> str:
    """An upper-case ISO alpha-2 code, or `InvalidValueError` naming the value (and the likely code)."""
    if isinstance(value, str) and _SHAPE.match(value.strip()):
        code = value.strip().upper()
        if code in ISO_COUNTRY_CODES:
            return code
        hint = f"; did you mean {_COMMON_MISTAKES[code]}?" if code in _COMMON_MISTAKES else ""
        raise InvalidValueError(
            IssueCode.INVALID_COUNTRY, f"{describe_value(value)} is not an ISO country code{hint}", value
        )
    raise InvalidValueError(
        IssueCode.INVALID_COUNTRY,
        f"{describe_value(value)} is not a two-letter ISO 3166-1 country code (e.g. BE, US)",
        value,
    )
