#pragma once
// Where the tests find this checkout, the hark binary, the sipp scenarios and the corpus.
//
// One generated file (tests/CMakeLists.txt: test_paths.cpp in the build tree) holds them, not
// compile definitions: a definition naming the checkout's absolute path is part of every
// compile command of its target, so every file of that target missed ccache in a clone in
// another folder (CI clones afresh), about 40 test files in each tree. Now only that one small
// file compiles again.

#include <string>

namespace hark::test {
extern const char* const kSourceDir;   ///< the checkout (holds fixtures/, scripts/, tests/)
extern const char* const kHarkBinary;  ///< the built `hark` executable
extern const char* const kSippDir;     ///< tests/sipp: the sipp scenarios
extern const char* const kCorpusDir;   ///< the labelled corpus fixtures/make_corpus.sh builds

/// A file of the checkout, by its path from the top ("fixtures/callee-map.txt").
inline std::string source_file(const char* relative) { return std::string(kSourceDir) + "/" + relative; }
}  // namespace hark::test
