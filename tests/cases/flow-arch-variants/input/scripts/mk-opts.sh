#!/bin/sh
echo "--iptables=false"
