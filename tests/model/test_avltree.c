/* Unit tests for model/avltree.c: ordering, balance, floor/ceil, erase. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "internal.h"

struct item {
    struct mm_avl_node node;
    int payload;
};

static int check_balanced(const struct mm_avl_node *n, uint64_t lo, uint64_t hi)
{
    if (!n)
        return 0;
    assert_true(n->key >= lo && n->key <= hi);
    int hl = check_balanced(n->left, lo, n->key ? n->key - 1 : 0);
    int hr = check_balanced(n->right, n->key + 1, hi);
    assert_true(hl - hr <= 1 && hr - hl <= 1);
    assert_int_equal(n->height, (hl > hr ? hl : hr) + 1);
    return n->height;
}

static void test_insert_iterate_in_order(void **state)
{
    (void)state;
    enum { N = 1000 };
    struct item *items = calloc(N, sizeof(*items));
    struct mm_avl_tree tree = {0};
    for (int i = 0; i < N; i++) {
        items[i].node.key = (uint64_t)((i * 7919) % N) * 4096; /* permuted */
        assert_int_equal(mm__avl_insert(&tree, &items[i].node), 0);
    }
    assert_int_equal(tree.count, N);
    check_balanced(tree.root, 0, UINT64_MAX);
    uint64_t expect = 0;
    for (struct mm_avl_node *n = mm__avl_first(&tree); n;
         n = mm__avl_next(&tree, n), expect += 4096)
        assert_int_equal(n->key, expect);
    assert_int_equal(expect, (uint64_t)N * 4096);
    free(items);
}

static void test_duplicate_rejected(void **state)
{
    (void)state;
    struct item a = {.node.key = 5}, b = {.node.key = 5};
    struct mm_avl_tree tree = {0};
    assert_int_equal(mm__avl_insert(&tree, &a.node), 0);
    assert_int_equal(mm__avl_insert(&tree, &b.node), MM_EEXIST);
    assert_int_equal(tree.count, 1);
    assert_ptr_equal(mm__avl_find(&tree, 5), &a.node);
}

static void test_floor_ceil_prev(void **state)
{
    (void)state;
    struct item it[3] = {{.node.key = 10}, {.node.key = 20}, {.node.key = 30}};
    struct mm_avl_tree tree = {0};
    for (int i = 0; i < 3; i++)
        mm__avl_insert(&tree, &it[i].node);
    assert_null(mm__avl_floor(&tree, 9));
    assert_int_equal(mm__avl_floor(&tree, 10)->key, 10);
    assert_int_equal(mm__avl_floor(&tree, 29)->key, 20);
    assert_int_equal(mm__avl_floor(&tree, UINT64_MAX)->key, 30);
    assert_int_equal(mm__avl_ceil(&tree, 0)->key, 10);
    assert_int_equal(mm__avl_ceil(&tree, 21)->key, 30);
    assert_null(mm__avl_ceil(&tree, 31));
    assert_int_equal(mm__avl_prev(&tree, &it[2].node)->key, 20);
    assert_null(mm__avl_prev(&tree, &it[0].node));
    struct item *got = mm_container_of(mm__avl_find(&tree, 20), struct item, node);
    assert_ptr_equal(got, &it[1]);
}

static void test_erase_keeps_balance(void **state)
{
    (void)state;
    enum { N = 512 };
    struct item *items = calloc(N, sizeof(*items));
    struct mm_avl_tree tree = {0};
    for (int i = 0; i < N; i++) {
        items[i].node.key = (uint64_t)i;
        mm__avl_insert(&tree, &items[i].node);
    }
    for (int i = 0; i < N; i += 2)
        assert_ptr_equal(mm__avl_erase(&tree, (uint64_t)i), &items[i].node);
    assert_null(mm__avl_erase(&tree, 0));
    assert_int_equal(tree.count, N / 2);
    check_balanced(tree.root, 0, UINT64_MAX);
    for (int i = 0; i < N; i++)
        assert_true((mm__avl_find(&tree, (uint64_t)i) != NULL) == (i % 2 == 1));
    free(items);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_iterate_in_order),
        cmocka_unit_test(test_duplicate_rejected),
        cmocka_unit_test(test_floor_ceil_prev),
        cmocka_unit_test(test_erase_keeps_balance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
