#!/bin/bash
#
# devstack/plugin.sh
# Mercador: the OS-MERCADOR extension in devstack's Keystone, its panels in
# Horizon and, on an aggregator, the Mercador proxy.

# Save trace setting
_XTRACE_MERCADOR=$(set +o | grep xtrace)
set -o xtrace

MERCADOR_BIN_DIR=$(get_python_exec_prefix)

# mercador_extras() - The extras of the parts this host runs, comma
# separated: the Keystone extension and the openstack commands always, the
# proxy and the Horizon plugin where their services are enabled
function mercador_extras {
    local extras=keystone,cli
    if is_service_enabled mercador-proxy; then
        extras+=,proxy
    fi
    if is_service_enabled horizon; then
        extras+=,dashboard
    fi
    echo "$extras"
}

# install_mercador() - Install the distribution where Keystone runs, with
# the dependencies of this host's parts
function install_mercador {
    setup_develop "$MERCADOR_DIR" "$(mercador_extras)"
}

# configure_mercador() - Turn the extension on in keystone.conf
function configure_mercador {
    if [[ "$MERCADOR_ROLE" == "aggregator" ]]; then
        iniset "$KEYSTONE_CONF" mercador publisher false
        iniset "$KEYSTONE_CONF" mercador aggregator true
        # The proxy is served at the root of its own port.
        iniset "$KEYSTONE_CONF" mercador proxy_url \
            "$SERVICE_PROTOCOL://$MERCADOR_PROXY_HOST:$MERCADOR_PROXY_PORT"
    else
        iniset "$KEYSTONE_CONF" mercador publisher true
        iniset "$KEYSTONE_CONF" mercador aggregator false
    fi
    iniset "$KEYSTONE_CONF" mercador public_auth_url "$KEYSTONE_SERVICE_URI/v3"
}

# init_mercador() - Create the extension's tables, then serve Keystone
# with the extension mounted
function init_mercador {
    "$MERCADOR_BIN_DIR/mercador-manage" --config-file "$KEYSTONE_CONF" db_sync

    if [[ "$MERCADOR_ROLE" == "aggregator" ]]; then
        # Tenants see only the bound regions they are entitled to. Set once
        # the tables exist: the driver reads them.
        iniset "$KEYSTONE_CONF" catalog driver mercador
    fi

    # Keystone's own WSGI application with the OS-MERCADOR APIs mounted,
    # whether the uwsgi file named a script or a module.
    inidelete "$KEYSTONE_PUBLIC_UWSGI_CONF" uwsgi wsgi-file
    iniset "$KEYSTONE_PUBLIC_UWSGI_CONF" uwsgi module "$MERCADOR_KEYSTONE_WSGI"
    restart_service devstack@keystone
    if ! wait_for_service "$SERVICE_TIMEOUT" "$KEYSTONE_SERVICE_URI/v3/"; then
        die $LINENO "Keystone did not restart with the Mercador extension"
    fi
}

# configure_mercador_proxy() - The proxy's identity and configuration, and
# uwsgi to serve it
function configure_mercador_proxy {
    get_or_create_role service
    create_service_user "$MERCADOR_PROXY_USER" service

    sudo install -d -o "$STACK_USER" "$MERCADOR_CONF_DIR"
    rm -f "$MERCADOR_PROXY_CONF" "$MERCADOR_PROXY_UWSGI_CONF"
    iniset "$MERCADOR_PROXY_CONF" proxy identity_url "$KEYSTONE_SERVICE_URI"
    iniset "$MERCADOR_PROXY_CONF" proxy username "$MERCADOR_PROXY_USER"
    iniset "$MERCADOR_PROXY_CONF" proxy password "$SERVICE_PASSWORD"
    iniset "$MERCADOR_PROXY_CONF" proxy project_name "$SERVICE_PROJECT_NAME"
    iniset "$MERCADOR_PROXY_CONF" proxy user_domain_name \
        "$SERVICE_DOMAIN_NAME"
    iniset "$MERCADOR_PROXY_CONF" proxy project_domain_name \
        "$SERVICE_DOMAIN_NAME"
    # Shared by every proxy process, as Keystone's own cache.
    iniset "$MERCADOR_PROXY_CONF" cache enabled true
    iniset "$MERCADOR_PROXY_CONF" cache backend \
        "${CACHE_BACKEND:-dogpile.cache.memcached}"
    iniset "$MERCADOR_PROXY_CONF" cache memcache_servers "$MEMCACHE_SERVERS"
    chmod 600 "$MERCADOR_PROXY_CONF"

    iniset "$MERCADOR_PROXY_UWSGI_CONF" uwsgi module "$MERCADOR_PROXY_WSGI"
    iniset "$MERCADOR_PROXY_UWSGI_CONF" uwsgi http-socket \
        "$MERCADOR_PROXY_HOST:$MERCADOR_PROXY_PORT"
    iniset "$MERCADOR_PROXY_UWSGI_CONF" uwsgi env \
        "MERCADOR_PROXY_CONFIG_FILE=$MERCADOR_PROXY_CONF"
    iniset "$MERCADOR_PROXY_UWSGI_CONF" uwsgi processes \
        "$MERCADOR_PROXY_WORKERS"
    iniset "$MERCADOR_PROXY_UWSGI_CONF" uwsgi master true
    iniset "$MERCADOR_PROXY_UWSGI_CONF" uwsgi enable-threads true
    iniset "$MERCADOR_PROXY_UWSGI_CONF" uwsgi lazy-apps true
    iniset "$MERCADOR_PROXY_UWSGI_CONF" uwsgi die-on-term true
    # Request and response bodies are streamed: no limit on their size.
    iniset "$MERCADOR_PROXY_UWSGI_CONF" uwsgi http-timeout 3600
    iniset "$MERCADOR_PROXY_UWSGI_CONF" uwsgi buffer-size 65535
}

# start_mercador_proxy() - Start the proxy and wait until it answers
function start_mercador_proxy {
    run_process mercador-proxy "$MERCADOR_BIN_DIR/uwsgi \
        --procname-prefix mercador-proxy --ini $MERCADOR_PROXY_UWSGI_CONF"
    if ! wait_for_service "$SERVICE_TIMEOUT" \
            "http://$MERCADOR_PROXY_HOST:$MERCADOR_PROXY_PORT/"; then
        die $LINENO "The Mercador proxy did not start"
    fi
}

# install_mercador_dashboard() - Enable the Horizon plugin's panels of
# this role (the Federation group, then a provider's or an aggregator's
# panels); the static files are collected and compressed again so that
# pages that use them do not fail
function install_mercador_dashboard {
    local plugin=$MERCADOR_DIR/mercador_dashboard
    local local_dir=$HORIZON_DIR/openstack_dashboard/local
    cp "$plugin"/enabled/_2900_*.py "$local_dir/enabled/"
    if [[ "$MERCADOR_ROLE" == "aggregator" ]]; then
        cp "$plugin"/enabled/_29[345]0_*.py "$local_dir/enabled/"
    else
        cp "$plugin"/enabled/_29[12]0_*.py "$local_dir/enabled/"
    fi
    cp "$plugin/local_settings.d/_90_mercador.py.example" \
        "$local_dir/local_settings.d/_90_mercador.py"
    (cd "$HORIZON_DIR" && \
        "$MERCADOR_BIN_DIR/python" manage.py collectstatic --noinput && \
        "$MERCADOR_BIN_DIR/python" manage.py compress --force)
    restart_apache_server
}

# cleanup_mercador() - Remove what the plugin wrote
function cleanup_mercador {
    local local_dir=$HORIZON_DIR/openstack_dashboard/local
    rm -f "$local_dir"/enabled/_29[0-9][0-9]_mercador_*.py
    rm -f "$local_dir/local_settings.d/_90_mercador.py"
    sudo rm -rf "$MERCADOR_CONF_DIR"
}

if is_service_enabled keystone; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing Mercador"
        install_mercador
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring Mercador ($MERCADOR_ROLE)"
        configure_mercador
        init_mercador
        if is_service_enabled mercador-proxy; then
            configure_mercador_proxy
        fi
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        if is_service_enabled mercador-proxy; then
            echo_summary "Starting the Mercador proxy"
            start_mercador_proxy
        fi
        if is_service_enabled horizon; then
            echo_summary "Enabling the Mercador panels in Horizon"
            install_mercador_dashboard
        fi
    fi

    if [[ "$1" == "unstack" ]]; then
        stop_process mercador-proxy
    fi

    if [[ "$1" == "clean" ]]; then
        cleanup_mercador
    fi
fi

# Restore xtrace
$_XTRACE_MERCADOR
