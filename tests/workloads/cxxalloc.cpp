// C++ allocations for perfscope memory-profile: new and delete reach the
// tracker through libstdc++.  Leaks exactly 250 ints with new[] (1000
// bytes) from leak_array(), one 48-byte Node with new from leak_node(),
// and frees everything else (a vector grown to 10,000 ints, a string).
#include <cstring>
#include <string>
#include <vector>

struct Node {
	Node *next;
	char payload[40];
};

Node *volatile keep_node;
int *volatile keep_array;

__attribute__((noinline)) static void leak_array()
{
	int *a = new int[250];
	std::memset(a, 0, 250 * sizeof(int));
	keep_array = a;
	keep_array = nullptr;
}

__attribute__((noinline)) static void leak_node()
{
	Node *n = new Node();
	keep_node = n;
	keep_node = nullptr;
}

__attribute__((noinline)) static long churn()
{
	std::vector<int> v;
	for (int i = 0; i < 10000; i++)
		v.push_back(i);
	std::string s(1000, 'x');
	return (long)v.size() + (long)s.size();
}

int main()
{
	leak_array();
	leak_node();
	return churn() == 11000 ? 0 : 1;
}
