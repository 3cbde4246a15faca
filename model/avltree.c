/*
 * avltree.c - an intrusive ordered map keyed by uint64_t.
 *
 * Used where the kernel uses its maple tree or rbtree: VMAs by start address,
 * free buddy blocks by PFN. Height-balanced (AVL), so every operation is
 * O(log n) with a deterministic shape for a given insertion order. No parent
 * pointers: iteration is by key (mm__avl_next() finds the smallest key above
 * the given one), which keeps insert and erase short and recursive.
 */
#include "internal.h"

static int height(const struct mm_avl_node *n)
{
    return n ? n->height : 0;
}

static void update(struct mm_avl_node *n)
{
    int hl = height(n->left), hr = height(n->right);
    n->height = (hl > hr ? hl : hr) + 1;
}

static struct mm_avl_node *rotate_right(struct mm_avl_node *n)
{
    struct mm_avl_node *l = n->left;
    n->left = l->right;
    l->right = n;
    update(n);
    update(l);
    return l;
}

static struct mm_avl_node *rotate_left(struct mm_avl_node *n)
{
    struct mm_avl_node *r = n->right;
    n->right = r->left;
    r->left = n;
    update(n);
    update(r);
    return r;
}

static struct mm_avl_node *rebalance(struct mm_avl_node *n)
{
    update(n);
    int balance = height(n->left) - height(n->right);
    if (balance > 1) {
        if (height(n->left->left) < height(n->left->right))
            n->left = rotate_left(n->left);
        return rotate_right(n);
    }
    if (balance < -1) {
        if (height(n->right->right) < height(n->right->left))
            n->right = rotate_right(n->right);
        return rotate_left(n);
    }
    return n;
}

static struct mm_avl_node *insert(struct mm_avl_node *root,
                                  struct mm_avl_node *node, bool *dup)
{
    if (!root) {
        node->left = node->right = NULL;
        node->height = 1;
        return node;
    }
    if (node->key == root->key) {
        *dup = true;
        return root;
    }
    if (node->key < root->key)
        root->left = insert(root->left, node, dup);
    else
        root->right = insert(root->right, node, dup);
    return rebalance(root);
}

/**
 * mm__avl_insert() - add a node under its key
 * @tree: the tree
 * @node: the node, with ->key set; not in any tree
 *
 * Return: 0, or MM_EEXIST if the key is already present (tree unchanged).
 */
int mm__avl_insert(struct mm_avl_tree *tree, struct mm_avl_node *node)
{
    bool dup = false;
    tree->root = insert(tree->root, node, &dup);
    if (dup)
        return MM_EEXIST;
    tree->count++;
    return 0;
}

static struct mm_avl_node *take_min(struct mm_avl_node *root,
                                    struct mm_avl_node **min)
{
    if (!root->left) {
        *min = root;
        return root->right;
    }
    root->left = take_min(root->left, min);
    return rebalance(root);
}

static struct mm_avl_node *erase(struct mm_avl_node *root, uint64_t key,
                                 struct mm_avl_node **found)
{
    if (!root)
        return NULL;
    if (key < root->key) {
        root->left = erase(root->left, key, found);
    } else if (key > root->key) {
        root->right = erase(root->right, key, found);
    } else {
        *found = root;
        if (!root->left || !root->right)
            return root->left ? root->left : root->right;
        struct mm_avl_node *succ;
        struct mm_avl_node *right = take_min(root->right, &succ);
        succ->left = root->left;
        succ->right = right;
        return rebalance(succ);
    }
    return rebalance(root);
}

/**
 * mm__avl_erase() - remove the node with @key
 * @tree: the tree
 * @key: the key to remove
 *
 * Return: the removed node, or NULL if no node had that key.
 */
struct mm_avl_node *mm__avl_erase(struct mm_avl_tree *tree, uint64_t key)
{
    struct mm_avl_node *found = NULL;
    tree->root = erase(tree->root, key, &found);
    if (found)
        tree->count--;
    return found;
}

/**
 * mm__avl_find() - the node with exactly @key
 * Return: the node or NULL.
 */
struct mm_avl_node *mm__avl_find(const struct mm_avl_tree *tree, uint64_t key)
{
    struct mm_avl_node *n = tree->root;
    while (n && n->key != key)
        n = key < n->key ? n->left : n->right;
    return n;
}

/**
 * mm__avl_floor() - the node with the largest key <= @key
 * Return: the node or NULL. Finds the VMA that may contain an address.
 */
struct mm_avl_node *mm__avl_floor(const struct mm_avl_tree *tree, uint64_t key)
{
    struct mm_avl_node *n = tree->root, *best = NULL;
    while (n) {
        if (n->key == key)
            return n;
        if (n->key < key) {
            best = n;
            n = n->right;
        } else {
            n = n->left;
        }
    }
    return best;
}

/**
 * mm__avl_ceil() - the node with the smallest key >= @key
 * Return: the node or NULL.
 */
struct mm_avl_node *mm__avl_ceil(const struct mm_avl_tree *tree, uint64_t key)
{
    struct mm_avl_node *n = tree->root, *best = NULL;
    while (n) {
        if (n->key == key)
            return n;
        if (n->key > key) {
            best = n;
            n = n->left;
        } else {
            n = n->right;
        }
    }
    return best;
}

/**
 * mm__avl_first() - the node with the smallest key
 * Return: the node or NULL for an empty tree.
 */
struct mm_avl_node *mm__avl_first(const struct mm_avl_tree *tree)
{
    struct mm_avl_node *n = tree->root;
    while (n && n->left)
        n = n->left;
    return n;
}

/**
 * mm__avl_next() - the node following @node in key order
 * Return: the node or NULL after the last one.
 */
struct mm_avl_node *mm__avl_next(const struct mm_avl_tree *tree,
                                 const struct mm_avl_node *node)
{
    if (node->key == UINT64_MAX)
        return NULL;
    return mm__avl_ceil(tree, node->key + 1);
}

/**
 * mm__avl_prev() - the node preceding @node in key order
 * Return: the node or NULL before the first one.
 */
struct mm_avl_node *mm__avl_prev(const struct mm_avl_tree *tree,
                                 const struct mm_avl_node *node)
{
    if (node->key == 0)
        return NULL;
    return mm__avl_floor(tree, node->key - 1);
}
