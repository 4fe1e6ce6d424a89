// Writes the golden corpora checked in under corpora/golden (valid logs with their
// expected `baton cat` output) and corpora/golden-errors (damaged or foreign files with
// the exact message a reader gives). Run by scripts/make-golden; tests only read them.
#include <capnp/message.h>
#include <capnp/serialize.h>

#include <climits>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "harness/synth/synthetic_session.h"
#include "recorder/baton.capnp.h"
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

bool WriteValidLogs(const std::string& golden) {
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
    return false;
  {
    auto rec = baton::Recorder::Create(golden + "every-kind.baton", baton::testing::SampleHeader());
    if (!Check(rec.status())) return false;
    for (const auto& e : baton::testing::EveryKindEvents()) (*rec)->RecordWithTimes(e);
    if (!Check((*rec)->Close())) return false;
  }
  if (!WriteJsonLines(golden + "synth-small.baton") || !WriteJsonLines(golden + "every-kind.baton"))
    return false;

  return true;
}

int WriteDamagedFiles(const std::string& golden, const std::string& errors) {
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
  baton::testing::FileBuilder newer(/*format_version=*/100, /*required_reader_version=*/99);
  newer.Header(baton::testing::SampleHeader());
  Spit(errors + "newer-version.baton", newer.bytes());
  Spit(errors + "not-a-baton.baton", "{\"this\": \"is JSON, not a .baton log\"}\n");
  Spit(errors + "header-only.baton", valid.substr(0, 20));

  // The expected message of each: what the reader says, with the path as {file}.
  // Valid checksums, wrong structure: what the integrity checks catch.
  auto chunk_bytes = [&](size_t i) {
    uint64_t end = i + 1 < chunks.size() ? chunks[i + 1] : valid.size() - 16;
    return valid.substr(chunks[i], end - chunks[i]);
  };
  auto without = [&](size_t skip, bool keep_trailer) {
    std::string out = valid.substr(0, baton::format::kFileHeaderSize);
    for (size_t i = 0; i < chunks.size(); ++i)
      if (i != skip) out += chunk_bytes(i);
    if (keep_trailer) out += valid.substr(valid.size() - 16);
    return out;
  };
  size_t first_blob = 0, first_events = 0;
  for (size_t i = chunks.size(); i-- > 1;) {
    baton::format::ChunkHeader h;
    baton::format::DecodeChunkHeader(std::string_view(valid).substr(chunks[i]), &h);
    if (h.kind == static_cast<uint8_t>(baton::format::ChunkKind::kBlobs)) first_blob = i;
    if (h.kind == static_cast<uint8_t>(baton::format::ChunkKind::kEvents)) first_events = i;
  }
  Spit(errors + "missing-chunk.baton", without(first_events, /*keep_trailer=*/true));
  {
    std::string early = without(chunks.size() - 1, /*keep_trailer=*/false);
    size_t insert_at = chunks[chunks.size() - 2];  // Before the last event chunk.
    early.insert(insert_at, chunk_bytes(chunks.size() - 1));
    Spit(errors + "early-footer.baton", early);
  }
  {
    std::string swapped = valid.substr(0, chunks[first_blob]);
    swapped += chunk_bytes(first_blob + 1) + chunk_bytes(first_blob);
    swapped += valid.substr(chunks[first_blob + 2]);
    Spit(errors + "swapped-chunks.baton", swapped);
  }
  {
    capnp::MallocMessageBuilder message;
    auto blob = message.initRoot<baton::schema::Blob>();
    blob.setOrdinal(4000000000u);
    blob.setData(capnp::Data::Reader(reinterpret_cast<const kj::byte*>("x"), 1));
    auto words = capnp::messageToFlatArray(message);
    baton::testing::FileBuilder b;
    b.Header(baton::testing::SampleHeader());
    b.Chunk(baton::format::ChunkKind::kBlobs, 1,
            std::string(words.asChars().begin(), words.asChars().size()));
    Spit(errors + "huge-blob-ordinal.baton", b.bytes());
  }
  {
    baton::testing::FileBuilder b;
    b.Header(baton::testing::SampleHeader());
    b.Chunk(baton::format::ChunkKind::kEvents, 1, std::string(64u << 20, '\0'));
    Spit(errors + "zstd-bomb.baton", b.bytes());
  }
  {
    baton::SessionHeader header = baton::testing::SampleHeader();
    header.start_wall_ns = INT64_MAX - 2;
    baton::Event e = baton::testing::EveryKindEvents()[0];
    e.seq = 1;
    e.mono_ns = INT64_MAX - 5;
    baton::testing::FileBuilder b;
    b.Header(header).Events({e});
    Spit(errors + "wall-time-overflow.baton", b.bytes());
  }
  Spit(errors + "empty.baton", "");

  for (const char* name : {"truncated", "bad-crc", "newer-version", "not-a-baton", "header-only",
                           "missing-chunk", "early-footer", "swapped-chunks", "huge-blob-ordinal",
                           "zstd-bomb", "wall-time-overflow", "empty"}) {
    std::string path = errors + name + ".baton";
    baton::Result<baton::LogContents> log = baton::ReadLog(path);
    std::string message = log.ok() ? log->report.ending : log.status().message();
    for (size_t at = message.find(path); at != std::string::npos; at = message.find(path))
      message.replace(at, path.size(), "{file}");
    Spit(errors + name + ".expect", message + "\n");
  }
  std::cout << "wrote golden-errors under " << errors << "\n";
  return 0;
}

int main(int argc, char** argv) {
  // --errors-only: keep the checked-in valid logs (every-kind.baton is an older writer's
  // file, kept to prove it still reads) and rebuild only the damaged files from them.
  bool errors_only = argc == 3 && std::string(argv[1]) == "--errors-only";
  if (argc != 2 && !errors_only) {
    std::cerr << "usage: make_golden [--errors-only] CORPORA_DIR\n";
    return 2;
  }
  std::string root = argv[argc - 1];
  std::string golden = root + "/golden/", errors = root + "/golden-errors/";
  if (!errors_only && !WriteValidLogs(golden)) return 1;
  return WriteDamagedFiles(golden, errors);
}
