"""Every model module, imported once so ``Base.metadata`` knows every table."""

from panelflow.accounts import models as accounts
from panelflow.actions import models as actions
from panelflow.attendance import models as attendance
from panelflow.audit import models as audit
from panelflow.cases import models as cases
from panelflow.catalogue import models as catalogue
from panelflow.funding import models as funding
from panelflow.notify import models as notify
from panelflow.organisations import models as organisations
from panelflow.panels import calendar_models as calendar
from panelflow.panels import models as panels
from panelflow.sharing import models as sharing
from panelflow.signoffs import models as signoffs
from panelflow.terms import models as terms
from panelflow.virtual_school import models as virtual_school

__all__ = [
    "accounts",
    "actions",
    "attendance",
    "audit",
    "calendar",
    "cases",
    "catalogue",
    "funding",
    "notify",
    "organisations",
    "panels",
    "sharing",
    "signoffs",
    "terms",
    "virtual_school",
]
