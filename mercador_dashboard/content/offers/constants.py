INDEX_URL = 'horizon:admin:offers:index'
BIND_URL = 'horizon:admin:offers:bind'

INDEX_TEMPLATE = 'admin/offers/index.html'

POLICY_LIST = (('mercador', 'mercador:provider:list'),
               ('mercador', 'mercador:provider_offer:list'))
POLICY_BIND = (('mercador', 'mercador:provider_offer:get'),
               ('mercador', 'mercador:bound_region:create'),
               ('mercador', 'mercador:entitlement:create'))
