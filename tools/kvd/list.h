/* SPDX-License-Identifier: MIT */
/*
 * list: kvd's list value, a deque of struct blob * in a growable ring buffer, so that pushes
 * and pops at both ends are O(1) amortized and any index is O(1). Event loop thread only.
 */
#ifndef KVD_LIST_H
#define KVD_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "kvd.h"

struct klist {
	struct blob **buf; /* cap slots; elements at (head + i) & (cap - 1) */
	size_t cap;        /* 0 or a power of two */
	size_t head;
	size_t len;
};

/* The element at index i (0 <= i < length): owned by the list. */
static inline struct blob *list_at(const struct klist *l, size_t i)
{
	return l->buf[(l->head + i) & (l->cap - 1)];
}

/* Pushes b (owned by the list from here on success). 0 or -ENOMEM (b is still the caller's). */
int list_push_head(struct klist *l, struct blob *b);
int list_push_tail(struct klist *l, struct blob *b);
/* Removes the first or last element and returns it (the caller frees it); NULL when empty. */
struct blob *list_pop_head(struct klist *l);
struct blob *list_pop_tail(struct klist *l);
/* Replaces the element at i (0 <= i < length) with b and returns the old one (caller frees it). */
struct blob *list_replace(struct klist *l, size_t i, struct blob *b);
/* Inserts b so that it ends up at index i (0 <= i <= length). 0 or -ENOMEM. */
int list_insert(struct klist *l, size_t i, struct blob *b);
/* Index of the first (from_tail: last) element equal to p/n, or -1. */
long list_find(const struct klist *l, const void *p, size_t n, bool from_tail);
/*
 * LREM: removes and frees elements equal to p/n, at most count of them from the head
 * (count > 0), from the tail (count < 0), or all (count 0). Returns how many were removed.
 */
size_t list_remove(struct klist *l, const void *p, size_t n, long count);
/* LTRIM: keeps the count elements from index start (start + count <= length), frees the rest. */
void list_keep(struct klist *l, size_t start, size_t count);
/* Frees every element: the list is empty (and keeps its storage). */
void list_clear(struct klist *l);

#endif
