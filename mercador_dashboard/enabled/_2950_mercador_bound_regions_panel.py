PANEL = 'bound_regions'
PANEL_DASHBOARD = 'admin'
PANEL_GROUP = 'mercador'
ADD_PANEL = 'mercador_dashboard.content.bound_regions.panel.BoundRegions'
