"""EU value lists for the micro-credential elements, with concept IRIs and English labels.

Europass concept IRIs are used where the EU Vocabularies publish one and we could verify it
offline; every other value gets an IRI minted under https://w3id.org/microvet/vocab/<list>/<key>
(see docs/decisions/0001-eu-elements-in-ob3.md). Labels are marked with ``gettext_noop`` so the
upper floor can translate them; credentials always carry the English label.
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import gettext_noop as _

MICROVET_VOCAB = "https://w3id.org/microvet/vocab/"
EU_SNB = "http://data.europa.eu/snb/"


@dataclass(frozen=True)
class Concept:
    """One value of a controlled list: ``iri`` identifies it, ``scheme`` is its concept scheme."""

    iri: str
    label: str
    scheme: str


def _minted(list_name: str, key: str, label: str) -> Concept:
    return Concept(f"{MICROVET_VOCAB}{list_name}/{key}", label, f"{MICROVET_VOCAB}{list_name}")


def _europass(scheme: str, code: str, label: str) -> Concept:
    return Concept(f"{EU_SNB}{scheme}/{code}", label, f"{EU_SNB}{scheme}/25831c2")


#: EU element 9, type of assessment (the Europass option list; no EU concept IRIs found offline).
ASSESSMENT_TYPES: dict[str, Concept] = {
    "testing": _minted("assessment-type", "testing", _("Testing")),
    "skill-application": _minted("assessment-type", "skill-application", _("Application of a skill")),
    "portfolio": _minted("assessment-type", "portfolio", _("Portfolio")),
    "prior-learning": _minted("assessment-type", "prior-learning", _("Recognition of prior learning")),
    "personalised": _minted("assessment-type", "personalised", _("Personalised assessment")),
    "participant-choice": _minted("assessment-type", "participant-choice", _("By choice of participant")),
}

#: EU element 10, form of participation (Europass "learning-assessment" mode scheme where known).
PARTICIPATION_FORMS: dict[str, Concept] = {
    "online": _europass("learning-assessment", "920fbb3cbe", _("Online")),
    "onsite": _minted("participation", "onsite", _("Onsite")),
    "blended": _europass("learning-assessment", "e92d221e4d", _("Blended")),
    "volunteering": _minted("participation", "volunteering", _("Volunteering")),
    "work-experience": _minted("participation", "work-experience", _("Work experience")),
    "participant-choice": _minted("participation", "participant-choice", _("By choice of participant")),
    "personalised": _minted("participation", "personalised", _("Personalised learning activities")),
}

#: Optional element: supervision and identity verification during assessment.
SUPERVISION: dict[str, Concept] = {
    "unsupervised-no-id": _europass(
        "supervision-verification", "c598449d64", _("Unsupervised without ID verification")
    ),
    "supervised-no-id": _minted("supervision", "supervised-no-id", _("Supervised without ID verification")),
    "supervised-online-id": _minted("supervision", "supervised-online-id", _("Supervised online with ID verification")),
    "supervised-onsite-id": _minted("supervision", "supervised-onsite-id", _("Supervised onsite with ID verification")),
}

EQF_SCHEME = f"{EU_SNB}eqf/25831c2"
ECTS = _europass("education-credit", "6fcec5c5af", _("European Credit Transfer and Accumulation System"))
ESCO_SKILL_SCHEME = "http://data.europa.eu/esco/concept-scheme/skills"
COUNTRY_AUTHORITY = "http://publications.europa.eu/resource/authority/country"


def eqf_level(level: int) -> Concept:
    """The EQF level concept (``http``, exactly as the EU publishes it)."""
    return Concept(f"{EU_SNB}eqf/{level}", _("EQF level %(level)d") % {"level": level}, EQF_SCHEME)


# ISO 3166-1 alpha-2 -> alpha-3 (all officially assigned codes, plus XK for Kosovo, an EU
# candidate that uses the user-assigned XK/XKX pair). Typed in as data because no well-kept
# library is in our dependencies (pycountry would add one) and the ELM export needs alpha-3.
_ISO_3166 = """
AD AND AE ARE AF AFG AG ATG AI AIA AL ALB AM ARM AO AGO AQ ATA AR ARG AS ASM AT AUT AU AUS AW ABW
AX ALA AZ AZE BA BIH BB BRB BD BGD BE BEL BF BFA BG BGR BH BHR BI BDI BJ BEN BL BLM BM BMU BN BRN
BO BOL BQ BES BR BRA BS BHS BT BTN BV BVT BW BWA BY BLR BZ BLZ CA CAN CC CCK CD COD CF CAF CG COG
CH CHE CI CIV CK COK CL CHL CM CMR CN CHN CO COL CR CRI CU CUB CV CPV CW CUW CX CXR CY CYP CZ CZE
DE DEU DJ DJI DK DNK DM DMA DO DOM DZ DZA EC ECU EE EST EG EGY EH ESH ER ERI ES ESP ET ETH FI FIN
FJ FJI FK FLK FM FSM FO FRO FR FRA GA GAB GB GBR GD GRD GE GEO GF GUF GG GGY GH GHA GI GIB GL GRL
GM GMB GN GIN GP GLP GQ GNQ GR GRC GS SGS GT GTM GU GUM GW GNB GY GUY HK HKG HM HMD HN HND HR HRV
HT HTI HU HUN ID IDN IE IRL IL ISR IM IMN IN IND IO IOT IQ IRQ IR IRN IS ISL IT ITA JE JEY JM JAM
JO JOR JP JPN KE KEN KG KGZ KH KHM KI KIR KM COM KN KNA KP PRK KR KOR KW KWT KY CYM KZ KAZ LA LAO
LB LBN LC LCA LI LIE LK LKA LR LBR LS LSO LT LTU LU LUX LV LVA LY LBY MA MAR MC MCO MD MDA ME MNE
MF MAF MG MDG MH MHL MK MKD ML MLI MM MMR MN MNG MO MAC MP MNP MQ MTQ MR MRT MS MSR MT MLT MU MUS
MV MDV MW MWI MX MEX MY MYS MZ MOZ NA NAM NC NCL NE NER NF NFK NG NGA NI NIC NL NLD NO NOR NP NPL
NR NRU NU NIU NZ NZL OM OMN PA PAN PE PER PF PYF PG PNG PH PHL PK PAK PL POL PM SPM PN PCN PR PRI
PS PSE PT PRT PW PLW PY PRY QA QAT RE REU RO ROU RS SRB RU RUS RW RWA SA SAU SB SLB SC SYC SD SDN
SE SWE SG SGP SH SHN SI SVN SJ SJM SK SVK SL SLE SM SMR SN SEN SO SOM SR SUR SS SSD ST STP SV SLV
SX SXM SY SYR SZ SWZ TC TCA TD TCD TF ATF TG TGO TH THA TJ TJK TK TKL TL TLS TM TKM TN TUN TO TON
TR TUR TT TTO TV TUV TW TWN TZ TZA UA UKR UG UGA UM UMI US USA UY URY UZ UZB VA VAT VC VCT VE VEN
VG VGB VI VIR VN VNM VU VUT WF WLF WS WSM YE YEM YT MYT ZA ZAF ZM ZMB ZW ZWE XK XKX
""".split()

#: ISO 3166-1 alpha-2 code -> alpha-3 code (the EU country authority table uses alpha-3).
COUNTRY_ALPHA3: dict[str, str] = dict(zip(_ISO_3166[::2], _ISO_3166[1::2], strict=True))


def country_iri(alpha2: str) -> str:
    """EU Publications Office country authority IRI for an ISO alpha-2 code."""
    return f"{COUNTRY_AUTHORITY}/{COUNTRY_ALPHA3[alpha2]}"
