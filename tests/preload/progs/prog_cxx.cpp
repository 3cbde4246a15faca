// C++ new/delete reach malloc/free through libstdc++'s operator new and
// operator delete; the shim sees them as malloc/free calls.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

int main()
{
    char *raw = new char[777];
    raw[0] = 'x';
    delete[] raw;
    std::vector<std::string> v;
    for (int i = 0; i < 400; i++)
        v.push_back(std::string(40, static_cast<char>('a' + i % 26)));
    auto p = std::make_unique<std::vector<int>>(1000, 3);
    std::printf("strings %zu, ints %zu\n", v.size(), p->size());
    return 0;
}
