// Writes the golden corpora checked in under corpora/golden (valid logs with their
// expected `baton cat` output) and corpora/golden-errors (damaged or foreign files with
// the exact message a reader gives). Run by scripts/make-golden; tests only read them.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "harness/synth/synthetic_session.h"
#include "recorder/chunk_format.h"
#include "recorder/recorder.h"
#include "replayer/event_json.h"
#include "replayer/log_reader.h"
#include "tests/testing/sample_events.h"

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void Spit(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

bool Check(const baton::Status& s) {
  if (!s.ok()) std::cerr << "make_golden: " << s.ToString() << "\n";
  return s.ok();
}

// Writes NAME.jsonl: what `baton cat` prints for the log.
bool WriteJsonLines(const std::string& path) {
  baton::Result<baton::LogContents> log = baton::ReadLog(path);
  if (!Check(log.status())) return false;
  std::string lines;
  for (const auto& e : log->events) lines += baton::EventToJson(e) + "\n";
  Spit(path.substr(0, path.size() - 6) + ".jsonl", lines);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_golden CORPORA_DIR\n";
    return 2;
  }
  std::string root = argv[1];
  std::string golden = root + "/golden/", errors = root + "/golden-errors/";

  // Valid logs.
  baton::synth::SynthOptions synth;
  synth.seed = 7;
  synth.agents = 3;
  synth.turns = 6;
  synth.payload_bytes = 300;
  baton::RecorderOptions small_chunks;
  small_chunks.chunk_bytes = 4096;  // Several chunks, so that damage leaves something to recover.
  if (!Check(baton::synth::WriteSyntheticSession(golden + "synth-small.baton", synth, 0,
                                                 small_chunks)))
    return 1;
  {
    auto rec = baton::Recorder::Create(golden + "every-kind.baton", baton::testing::SampleHeader());
    if (!Check(rec.status())) return 1;
    for (const auto& e : baton::testing::EveryKindEvents()) (*rec)->RecordWithTimes(e);
    if (!Check((*rec)->Close())) return 1;
  }
  if (!WriteJsonLines(golden + "synth-small.baton") || !WriteJsonLines(golden + "every-kind.baton"))
    return 1;

  // Damaged and foreign files, made from the valid ones.
  std::string valid = Slurp(golden + "synth-small.baton");
  std::vector<uint64_t> chunks;
  {
    size_t off = baton::format::kFileHeaderSize;
    baton::format::ChunkHeader h;
    while (baton::format::DecodeChunkHeader(std::string_view(valid).substr(off), &h)) {
      chunks.push_back(off);
      off += baton::format::kChunkHeaderSize + h.stored_length;
    }
  }
  // Cut in the middle of the last event chunk, as a killed recorder leaves it.
  uint64_t last_events = chunks[chunks.size() - 2];
  Spit(errors + "truncated.baton", valid.substr(0, last_events + 40));
  std::string bad_crc = valid;
  bad_crc[chunks[2] + baton::format::kChunkHeaderSize + 10] ^= 0x10;
  Spit(errors + "bad-crc.baton", bad_crc);
  baton::testing::FileBuilder newer(/*format_version=*/2, /*required_reader_version=*/2);
  newer.Header(baton::testing::SampleHeader());
  Spit(errors + "newer-version.baton", newer.bytes());
  Spit(errors + "not-a-baton.baton", "{\"this\": \"is JSON, not a .baton log\"}\n");
  Spit(errors + "header-only.baton", valid.substr(0, 20));

  // The expected message of each: what the reader says, with the path as {file}.
  for (const char* name : {"truncated", "bad-crc", "newer-version", "not-a-baton", "header-only"}) {
    std::string path = errors + name + ".baton";
    baton::Result<baton::LogContents> log = baton::ReadLog(path);
    std::string message = log.ok() ? log->report.ending : log.status().message();
    for (size_t at = message.find(path); at != std::string::npos; at = message.find(path))
      message.replace(at, path.size(), "{file}");
    Spit(errors + name + ".expect", message + "\n");
  }
  std::cout << "wrote golden corpora under " << root << "\n";
  return 0;
}
