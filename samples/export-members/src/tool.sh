#!/bin/sh
echo "tool $(cat /opt/tool/share/VERSION)"
