PANEL = 'offers'
PANEL_DASHBOARD = 'admin'
PANEL_GROUP = 'mercador'
ADD_PANEL = 'mercador_dashboard.content.offers.panel.Offers'
