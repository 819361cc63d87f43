package protocol

import (
	"io"
	"os"
	"runtime"
	"syscall"
	"time"
)

// SpinFor is how long a reader made by NewReader polls its pipe before it
// sleeps until the pipe is readable. A protocol round trip is a few
// microseconds of work on each side; sleeping and being woken costs more
// than that (two context switches, and on a virtual machine an
// inter-processor interrupt), so a short poll makes the protocol several
// times faster while a slow peer costs at most SpinFor of CPU per message.
const SpinFor = 50 * time.Microsecond

// NewReader returns a reader of f, a pipe, that polls for SpinFor before it
// waits on the runtime's poller. f must be in non-blocking mode (os.Pipe's
// ends are; see NewStdin for standard input). On a single CPU it does not
// poll: the peer could not run meanwhile.
func NewReader(f *os.File) io.Reader {
	raw, err := f.SyscallConn()
	if err != nil || runtime.NumCPU() < 2 {
		return f
	}
	return &spinReader{raw: raw} // raw holds f, and so keeps its descriptor open
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
	raw syscall.RawConn
}

func (r *spinReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	var rerr error
	deadline := time.Time{}
	err := r.raw.Read(func(fd uintptr) bool {
		for {
			n, rerr = syscall.Read(int(fd), p)
			switch {
			case rerr == syscall.EINTR:
				continue
			case rerr == syscall.EAGAIN:
				now := time.Now()
				if deadline.IsZero() {
					deadline = now.Add(SpinFor)
				}
				if now.Before(deadline) {
					continue
				}
				return false // wait on the poller, then try again
			}
			return true
		}
	})
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
