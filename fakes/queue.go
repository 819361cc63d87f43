package fakes

// fifo is a first-in first-out queue that reuses its array: popping from the
// front advances a head index instead of re-slicing, so a queue drained every
// instant never reallocates.
type fifo[T any] struct {
	items []T
	head  int
}

func (q *fifo[T]) len() int { return len(q.items) - q.head }

// live returns the queued items, oldest first; valid until the next change.
func (q *fifo[T]) live() []T { return q.items[q.head:] }

func (q *fifo[T]) push(x T) {
	if q.head > 0 && q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	}
	q.items = append(q.items, x)
}

// remove deletes the i-th live item (0: the oldest).
func (q *fifo[T]) remove(i int) {
	var zero T
	if i == 0 {
		q.items[q.head] = zero
		q.head++
	} else {
		live := q.items[q.head:]
		copy(live[i:], live[i+1:])
		live[len(live)-1] = zero
		q.items = q.items[:len(q.items)-1]
	}
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	} else if q.head > len(q.items)/2 && q.head > 64 {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
}

// minHeap is a binary heap of values ordered by less. Unlike container/heap
// it does not box its elements in interfaces, so a push allocates nothing.
type minHeap[T any] struct {
	items []T
	less  func(a, b T) bool
}

func (h *minHeap[T]) push(x T) {
	h.items = append(h.items, x)
	for i := len(h.items) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(h.items[i], h.items[p]) {
			break
		}
		h.items[i], h.items[p] = h.items[p], h.items[i]
		i = p
	}
}

func (h *minHeap[T]) pop() T {
	var zero T
	top := h.items[0]
	n := len(h.items) - 1
	h.items[0] = h.items[n]
	h.items[n] = zero
	h.items = h.items[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && h.less(h.items[l], h.items[m]) {
			m = l
		}
		if r < n && h.less(h.items[r], h.items[m]) {
			m = r
		}
		if m == i {
			break
		}
		h.items[i], h.items[m] = h.items[m], h.items[i]
		i = m
	}
	return top
}
