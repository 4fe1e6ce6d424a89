#include "harness/synth/synthetic_text.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace baton::synth {

SyntheticText::SyntheticText(std::mt19937_64& rng) : rng_(rng) {
  static constexpr const char* kSyllables[] = {"ba", "ro",  "ta", "ni",  "mer", "kal", "do",
                                               "ve", "sin", "qu", "lo",  "pra", "ten", "gu",
                                               "ra", "fe",  "mi", "sto", "cor", "al"};
  std::mt19937_64 vocab_rng(7);  // The same vocabulary for every session.
  for (int i = 0; i < 3000; ++i) {
    std::string w;
    int n = 1 + static_cast<int>(vocab_rng() % 3);
    for (int k = 0; k < n; ++k) w += kSyllables[vocab_rng() % std::size(kSyllables)];
    words_.push_back(w);
  }
}

std::string SyntheticText::Text(size_t bytes) {
  std::string out;
  // Zipf-like: frequent words are short and common, as in real text.
  while (out.size() < bytes) {
    double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    size_t idx = static_cast<size_t>(std::pow(u, 3.0) * words_.size());
    out += words_[std::min(idx, words_.size() - 1)];
    out += (rng_() % 12 == 0) ? ". " : " ";
  }
  return out;
}

}  // namespace baton::synth
