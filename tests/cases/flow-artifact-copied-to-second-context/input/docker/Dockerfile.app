FROM example/agent
COPY b /usr/bin/
ENTRYPOINT ["/usr/bin/b"]
