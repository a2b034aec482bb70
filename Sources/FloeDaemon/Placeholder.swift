// FloeDaemon
