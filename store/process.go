package store

import "os"

// process is the host and process id this store takes leases as.
type process struct {
	host string
	pid  int
}

func thisProcess() process {
	host, err := os.Hostname()
	if err != nil {
		// Without a host name no lease is ever judged by its process.
		host = ""
	}
	return process{host: host, pid: os.Getpid()}
}
