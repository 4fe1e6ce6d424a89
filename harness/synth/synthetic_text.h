// Made-up but pronounceable prose for synthetic sessions and benchmarks: text that
// compresses like prose rather than like noise or like a repeated string.
#ifndef BATON_HARNESS_SYNTH_SYNTHETIC_TEXT_H_
#define BATON_HARNESS_SYNTH_SYNTHETIC_TEXT_H_

#include <random>
#include <string>
#include <vector>

namespace baton::synth {

class SyntheticText {
 public:
  // Draws from `rng` (borrowed); the vocabulary is the same for every instance.
  explicit SyntheticText(std::mt19937_64& rng);

  // Words and sentences, at least `bytes` long.
  std::string Text(size_t bytes);

 private:
  std::mt19937_64& rng_;
  std::vector<std::string> words_;
};

}  // namespace baton::synth

#endif  // BATON_HARNESS_SYNTH_SYNTHETIC_TEXT_H_
