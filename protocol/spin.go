package protocol

import (
	"io"
	"os"
	"runtime"
	"syscall"
	"time"
)

// SpinFor is the longest a reader made by NewReader polls its pipe before it
// sleeps until the pipe is readable. A protocol round trip is a few
// microseconds of work on each side; sleeping and being woken costs more
// than that (two context switches, and on a virtual machine an
// inter-processor interrupt), so a short poll makes the protocol faster while
// a slow peer costs at most SpinFor of CPU per message.
//
// The poll adapts: a reader whose polls keep running out (the peer is slow,
// or the machine so busy that polling takes the CPU the peer needs) halves
// its budget down to nothing, and then sleeps at once, trying a short poll
// again every probeEvery reads; polls that succeed double it back.
const SpinFor = 50 * time.Microsecond

const (
	minSpin    = 2 * time.Microsecond // below this, polling is off
	probeEvery = 32                   // reads between tries while polling is off
)

// NewReader returns a reader of f, a pipe, that polls for SpinFor before it
// waits on the runtime's poller. f must be in non-blocking mode (os.Pipe's
// ends are; see NewStdin for standard input). On a single CPU it does not
// poll: the peer could not run meanwhile.
func NewReader(f *os.File) io.Reader {
	raw, err := f.SyscallConn()
	if err != nil || runtime.NumCPU() < 2 {
		return f
	}
	return &spinReader{raw: raw, spin: SpinFor} // raw holds f, and so keeps its descriptor open
}

// NewStdin returns standard input as a polling reader (see NewReader), or
// os.Stdin itself if it cannot be made non-blocking.
func NewStdin() io.Reader {
	if err := syscall.SetNonblock(int(os.Stdin.Fd()), true); err != nil {
		return os.Stdin
	}
	return NewReader(os.NewFile(os.Stdin.Fd(), "/dev/stdin"))
}

type spinReader struct {
	raw  syscall.RawConn
	spin time.Duration // the current poll budget (0: off)
	off  int           // reads since polling went off
}

func (r *spinReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	budget := r.spin
	if budget == 0 {
		if r.off++; r.off >= probeEvery {
			r.off, budget = 0, SpinFor/4
		}
	}
	var n int
	var rerr error
	deadline := time.Time{}
	polled, waited := false, false
	err := r.raw.Read(func(fd uintptr) bool {
		for {
			n, rerr = syscall.Read(int(fd), p)
			switch {
			case rerr == syscall.EINTR:
				continue
			case rerr == syscall.EAGAIN:
				if waited || budget == 0 {
					waited = true
					return false // wait on the poller, then try again
				}
				now := time.Now()
				if deadline.IsZero() {
					deadline, polled = now.Add(budget), true
				}
				if now.Before(deadline) {
					continue
				}
				waited = true
				return false
			}
			return true
		}
	})
	switch {
	case polled && waited: // the poll ran out: poll less
		if r.spin /= 2; r.spin < minSpin {
			r.spin = 0
		}
	case polled || budget > 0 && !waited: // data came while polling, or at once
		r.spin = min(SpinFor, max(2*r.spin, budget))
	}
	if err != nil {
		return 0, err
	}
	if rerr != nil {
		return 0, rerr
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}
