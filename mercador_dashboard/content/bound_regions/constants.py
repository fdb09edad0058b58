INDEX_URL = 'horizon:admin:bound_regions:index'
ENTITLEMENTS_URL = 'horizon:admin:bound_regions:entitlements'

INDEX_TEMPLATE = 'admin/bound_regions/index.html'

POLICY_LIST = (('mercador', 'mercador:bound_region:list'),)
POLICY_GET = (('mercador', 'mercador:bound_region:get'),)
POLICY_DELETE = (('mercador', 'mercador:bound_region:delete'),)
POLICY_ENTITLEMENT_UPDATE = (
    ('mercador', 'mercador:entitlement:list'),
    ('mercador', 'mercador:entitlement:create'),
    ('mercador', 'mercador:entitlement:delete'),
)
