package main

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// usage is a process's resource figures at one moment.
type usage struct {
	At     time.Time     `json:"-"`
	CPU    time.Duration `json:"cpu_ns"`         // user + system time so far
	SysCPU time.Duration `json:"sys_cpu_ns"`     // of which system (kernel) time
	RSS    int64         `json:"rss_bytes"`      // VmRSS
	HWM    int64         `json:"rss_peak_bytes"` // VmHWM, the peak RSS
	// RSS split: anonymous memory (heap, stacks, the C allocations of
	// SQLite) and file pages (mostly the program's own code, shared with
	// any other process running the same binary).
	RSSAnon   int64  `json:"rss_anon_bytes"`
	RSSFile   int64  `json:"rss_file_bytes"`
	HeapInuse uint64 `json:"heap_inuse_bytes"`
	HeapAlloc uint64 `json:"heap_alloc_bytes"`
	Sys       uint64 `json:"go_sys_bytes"` // memory the Go runtime got from the OS
	// Where Go's memory beside the heap in use goes: goroutine stacks, heap
	// spans freed but not yet returned to the OS, GC and span metadata.
	StackInuse uint64 `json:"stack_inuse_bytes"`
	HeapIdle   uint64 `json:"heap_idle_unreleased_bytes"`
	Meta       uint64 `json:"runtime_metadata_bytes"`
	TotalAlloc uint64 `json:"total_alloc_bytes"`
	Mallocs    uint64 `json:"mallocs"`
	NumGC      uint32 `json:"gc_cycles"`
	Goroutines int    `json:"goroutines"`
}

// measure takes this process's figures. ReadMemStats stops the world for
// a moment, which is why it is called a handful of times only.
func measure() usage {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss, hwm, anon, file := memStatus()
	cpu, sys := cpuTime()
	return usage{
		At:         time.Now(),
		CPU:        cpu,
		SysCPU:     sys,
		RSS:        rss,
		HWM:        hwm,
		RSSAnon:    anon,
		RSSFile:    file,
		HeapInuse:  ms.HeapInuse,
		HeapAlloc:  ms.HeapAlloc,
		Sys:        ms.Sys,
		StackInuse: ms.StackInuse,
		HeapIdle:   ms.HeapIdle - ms.HeapReleased,
		Meta:       ms.GCSys + ms.MSpanSys + ms.MCacheSys + ms.BuckHashSys + ms.OtherSys,
		TotalAlloc: ms.TotalAlloc,
		Mallocs:    ms.Mallocs,
		NumGC:      ms.NumGC,
		Goroutines: runtime.NumGoroutine(),
	}
}

// cpuTime is the CPU time this process has used (all its threads, not its
// children): user and system together, and system alone.
func cpuTime() (total, sys time.Duration) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), time.Duration(ru.Stime.Nano())
}

// memStatus reads VmRSS, VmHWM, RssAnon and RssFile from /proc/self/status
// (0 where there is no /proc).
func memStatus() (rss, hwm, anon, file int64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0, 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "VmRSS:"):
			rss = kB(line)
		case strings.HasPrefix(line, "VmHWM:"):
			hwm = kB(line)
		case strings.HasPrefix(line, "RssAnon:"):
			anon = kB(line)
		case strings.HasPrefix(line, "RssFile:"):
			file = kB(line)
		}
	}
	return rss, hwm, anon, file
}

// kB parses "VmRSS:	   12345 kB" into bytes.
func kB(line string) int64 {
	f := strings.Fields(line)
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.ParseInt(f[1], 10, 64)
	return n << 10
}

// mb formats bytes as MB (10^6, as the design's targets are written).
func mb(b int64) string {
	return strconv.FormatFloat(float64(b)/1e6, 'f', 1, 64) + " MB"
}
