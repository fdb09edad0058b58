"""Translation of the messages users see (oslo.i18n).

Log messages are not translated, as in the rest of OpenStack.
"""

import oslo_i18n

DOMAIN = 'keystone_mercador'

_translators = oslo_i18n.TranslatorFactory(domain=DOMAIN)

# The primary translation function, as ``_``.
_ = _translators.primary
