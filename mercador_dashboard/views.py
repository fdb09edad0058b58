from horizon import exceptions

from openstack_dashboard import policy


class PolicyMixin(object):
    """Refuse a view, not only hide the links to it, when policy denies it.

    Horizon checks a panel's ``policy_rules`` on its URLs; a view that needs
    more (creating, editing) declares its own rules here.
    """
    policy_rules = ()

    def dispatch(self, request, *args, **kwargs):
        if not policy.check(self.policy_rules, request):
            raise exceptions.NotAuthorized
        return super().dispatch(request, *args, **kwargs)
