/* SPDX-License-Identifier: Apache-2.0 */
/* Intrusive circular doubly-linked list: O(1) insert and remove. */
#ifndef KERNEL_LIST_H
#define KERNEL_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_node {
	struct list_node *prev, *next;
};

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

static inline void list_init(struct list_node *head)
{
	head->prev = head->next = head;
}

static inline bool list_is_empty(const struct list_node *head)
{
	return head->next == head;
}

/* A node that is on no list points at itself (list_init or list_remove). */
static inline bool list_node_is_linked(const struct list_node *node)
{
	return node->next != node;
}

static inline void list_insert_before(struct list_node *pos, struct list_node *node)
{
	node->next = pos;
	node->prev = pos->prev;
	pos->prev->next = node;
	pos->prev = node;
}

static inline void list_append(struct list_node *head, struct list_node *node)
{
	list_insert_before(head, node);
}

static inline void list_remove(struct list_node *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node->prev = node->next = node;
}

static inline struct list_node *list_pop_front(struct list_node *head)
{
	struct list_node *n = head->next;

	if (n == head)
		return NULL;
	list_remove(n);
	return n;
}

#endif /* KERNEL_LIST_H */
