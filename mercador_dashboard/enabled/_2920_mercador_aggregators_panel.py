PANEL = 'aggregators'
PANEL_DASHBOARD = 'admin'
PANEL_GROUP = 'mercador'
ADD_PANEL = 'mercador_dashboard.content.aggregators.panel.Aggregators'
