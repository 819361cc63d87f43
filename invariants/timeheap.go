package invariants

import (
	"container/heap"
	"time"
)

// timeHeap is a priority queue of values by time, then by a sequence number
// (the order among equal times). Entries are never updated in place: a value
// whose time changes is pushed again, and peek skips the entries its caller
// says are stale. That keeps every operation O(log n).
type timeHeap[T any] struct{ items timeItems[T] }

type timeItem[T any] struct {
	at  time.Time
	seq int
	v   T
}

type timeItems[T any] []timeItem[T]

func (h timeItems[T]) Len() int { return len(h) }
func (h timeItems[T]) Less(i, j int) bool {
	if c := h[i].at.Compare(h[j].at); c != 0 {
		return c < 0
	}
	return h[i].seq < h[j].seq
}
func (h timeItems[T]) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timeItems[T]) Push(x any)   { *h = append(*h, x.(timeItem[T])) }
func (h *timeItems[T]) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (h *timeHeap[T]) push(at time.Time, seq int, v T) { heap.Push(&h.items, timeItem[T]{at, seq, v}) }

// peek returns the earliest entry that valid accepts, dropping the stale
// ones before it.
func (h *timeHeap[T]) peek(valid func(T, time.Time) bool) (T, time.Time, bool) {
	for len(h.items) > 0 {
		top := h.items[0]
		if valid(top.v, top.at) {
			return top.v, top.at, true
		}
		heap.Pop(&h.items)
	}
	var zero T
	return zero, time.Time{}, false
}

// pop removes the earliest entry (the one peek returned).
func (h *timeHeap[T]) pop() { heap.Pop(&h.items) }
