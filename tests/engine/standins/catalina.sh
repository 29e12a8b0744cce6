#!/bin/sh
# Stand-in for Tomcat's catalina.sh (migrator test engine; serves NOTHING).
# catalina.sh run: stays in the foreground until killed; version: prints it; start/stop: no-ops.
case ${1:-} in
    run) exec sleep 2147483647 ;;
    version) echo "Server version: Apache Tomcat/${TOMCAT_VERSION:-0} (stand-in)" ;;
    start|stop|configtest) : ;;
    *) echo "Usage: catalina.sh ( run | start | stop | version ) (stand-in)" >&2; exit 1 ;;
esac
