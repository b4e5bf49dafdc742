// cxxwork: C++ hot paths whose names only a demangler makes readable:
//   main -> run_sorts -> std::sort (with a lambda comparator)
//   main -> run_templates -> Accumulator<double>::add_all -> square_inline
// square_inline() is always inlined, so it appears only as an inline frame.
// Built with -O2 -g and no frame pointers.
//
// Usage: cxxwork [--seconds S]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace work {

static volatile double sink;

__attribute__((always_inline)) inline double square_inline(double x)
{
	double r = x;
	for (int i = 0; i < 96; i++) {
		r = r * 1.0000001 + x * 0.5;
		__asm__ volatile("" : "+x"(r));
	}
	return r;
}

template <typename T> struct Accumulator {
	T total{};
	__attribute__((noinline)) void add_all(const std::vector<T> &values)
	{
		for (const T &v : values)
			total += square_inline(v);
		sink = total;
	}
};

__attribute__((noinline)) void run_sorts(std::vector<int> &data, unsigned seed)
{
	for (size_t i = 0; i < data.size(); i++)
		data[i] = (int)((i * 2654435761u) ^ seed);
	std::sort(data.begin(), data.end(), [](int a, int b) { return (a % 1000) < (b % 1000); });
	__asm__ volatile("");
}

__attribute__((noinline)) void run_templates(Accumulator<double> &acc,
					     const std::vector<double> &values)
{
	acc.add_all(values);
	__asm__ volatile("");
}

} // namespace work

int main(int argc, char **argv)
{
	double seconds = 2.0;
	for (int i = 1; i + 1 < argc; i++)
		if (std::strcmp(argv[i], "--seconds") == 0)
			seconds = std::atof(argv[i + 1]);
	std::vector<int> data(4096);
	std::vector<double> values(4096, 1.5);
	work::Accumulator<double> acc;
	auto start = std::chrono::steady_clock::now();
	unsigned rounds = 0;
	while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds) {
		work::run_sorts(data, rounds);
		work::run_templates(acc, values);
		rounds++;
	}
	std::printf("cxxwork: rounds=%u\n", rounds);
	return 0;
}
