PANEL = 'virtual_regions'
PANEL_DASHBOARD = 'admin'
PANEL_GROUP = 'mercador'
ADD_PANEL = ('mercador_dashboard.content.virtual_regions.panel.'
             'VirtualRegions')
