"""Every model module, imported once so ``Base.metadata`` knows every table."""

from panelflow.accounts import models as accounts
from panelflow.actions import models as actions
from panelflow.audit import models as audit
from panelflow.cases import models as cases
from panelflow.catalogue import models as catalogue
from panelflow.organisations import models as organisations

__all__ = ["accounts", "actions", "audit", "cases", "catalogue", "organisations"]
