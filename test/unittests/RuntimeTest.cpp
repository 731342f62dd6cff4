//===- RuntimeTest.cpp - The C runtime's tensors and files ----------------===//
//
// Part of Loom. Ownership and file formats of runtime/include/loom/runtime.h;
// run under ASan/UBSan in the sanitizer build.
//
//===----------------------------------------------------------------------===//

#include "loom/runtime.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

namespace {

std::string tempPath(const char *name) {
  return ::testing::TempDir() + "loom-runtime-" + name;
}

TEST(RuntimeTest, WrappedDataIsReleasedExactlyOnce) {
  static int releases = 0;
  float data[6] = {1, 2, 3, 4, 5, 6};
  int64_t shape[2] = {2, 3};
  loom_tensor *t = loom_tensor_wrap(
      LOOM_DTYPE_F32, 2, shape, data, [](void *) { ++releases; }, nullptr);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(loom_tensor_numel(t), 6);
  EXPECT_EQ(loom_tensor_nbytes(t), 24u);
  EXPECT_EQ(loom_tensor_data(t), data);
  loom_tensor_free(t);
  EXPECT_EQ(releases, 1);
  loom_tensor_free(nullptr); // a no-op
}

TEST(RuntimeTest, DeviceTensorsNameTheirDeviceAndStayOffTheHost) {
  static int releases = 0;
  int64_t shape[1] = {4};
  void *devicePointer = reinterpret_cast<void *>(uintptr_t(0x7f0000001000));
  loom_tensor *t = loom_tensor_wrap_device(
      LOOM_DTYPE_F32, 1, shape, LOOM_DEVICE_CUDA, 1, devicePointer,
      [](void *) { ++releases; }, nullptr);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(loom_tensor_device_kind(t), LOOM_DEVICE_CUDA);
  EXPECT_EQ(loom_tensor_device_ordinal(t), 1);
  EXPECT_EQ(loom_tensor_data(t), devicePointer);
  // Never dereferenced on the host: a file write refuses it.
  std::string path = tempPath("device.npy");
  EXPECT_EQ(loom_tensor_write_file(path.c_str(), t),
            LOOM_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(loom_last_error()).find("device memory"),
            std::string::npos);
  loom_tensor_free(t);
  EXPECT_EQ(releases, 1);
  // The host is not a device; nor is a negative ordinal.
  EXPECT_EQ(loom_tensor_wrap_device(LOOM_DTYPE_F32, 1, shape, LOOM_DEVICE_CPU,
                                    0, devicePointer, nullptr, nullptr),
            nullptr);
  EXPECT_EQ(loom_tensor_wrap_device(LOOM_DTYPE_F32, 1, shape,
                                    LOOM_DEVICE_EMULATED, -1, devicePointer,
                                    nullptr, nullptr),
            nullptr);
  // A host tensor is on the host.
  loom_tensor *h = loom_tensor_create(LOOM_DTYPE_F32, 1, shape);
  EXPECT_EQ(loom_tensor_device_kind(h), LOOM_DEVICE_CPU);
  loom_tensor_free(h);
}

TEST(RuntimeTest, CreateRejectsBadShapesAndDtypes) {
  int64_t negative[1] = {-1};
  EXPECT_EQ(loom_tensor_create(LOOM_DTYPE_F32, 1, negative), nullptr);
  EXPECT_NE(std::string(loom_last_error()).find("invalid dim"),
            std::string::npos);
  int64_t shape[1] = {4};
  EXPECT_EQ(loom_tensor_create(static_cast<loom_dtype>(99), 1, shape), nullptr);
  int64_t huge[2] = {INT64_MAX / 2, 4};
  EXPECT_EQ(loom_tensor_create(LOOM_DTYPE_F64, 2, huge), nullptr);
}

/// Every dtype round-trips through both formats, zero-sized and scalar
/// shapes included.
TEST(RuntimeTest, FilesRoundTripEveryDtype) {
  const loom_dtype dtypes[] = {LOOM_DTYPE_F32, LOOM_DTYPE_F64, LOOM_DTYPE_F16,
                               LOOM_DTYPE_I8,  LOOM_DTYPE_U8,  LOOM_DTYPE_I16,
                               LOOM_DTYPE_U16, LOOM_DTYPE_I32, LOOM_DTYPE_U32,
                               LOOM_DTYPE_I64, LOOM_DTYPE_U64, LOOM_DTYPE_BOOL};
  const int64_t shapes[][3] = {{2, 3, 1}, {0, 4, 1}};
  for (loom_dtype dtype : dtypes) {
    for (const auto &shape : shapes) {
      for (int32_t rank : {0, 1, 3}) {
        loom_tensor *t = loom_tensor_create(dtype, rank, shape);
        ASSERT_NE(t, nullptr);
        auto *bytes = static_cast<unsigned char *>(loom_tensor_data(t));
        for (size_t i = 0; i < loom_tensor_nbytes(t); ++i)
          bytes[i] = dtype == LOOM_DTYPE_BOOL ? i % 2 : (i * 37 + 11) & 0xff;
        for (const char *ext : {".npy", ".pb"}) {
          std::string path = tempPath("roundtrip") + ext;
          ASSERT_EQ(loom_tensor_write_file(path.c_str(), t), LOOM_OK)
              << loom_last_error();
          loom_tensor *back = nullptr;
          ASSERT_EQ(loom_tensor_read_file(path.c_str(), &back), LOOM_OK)
              << loom_last_error();
          EXPECT_EQ(loom_tensor_dtype(back), dtype);
          ASSERT_EQ(loom_tensor_rank(back), rank);
          for (int32_t d = 0; d < rank; ++d)
            EXPECT_EQ(loom_tensor_shape(back)[d], shape[d]);
          EXPECT_EQ(std::memcmp(loom_tensor_data(back), loom_tensor_data(t),
                                loom_tensor_nbytes(t)),
                    0);
          loom_tensor_free(back);
          std::remove(path.c_str());
        }
        loom_tensor_free(t);
      }
    }
  }
}

TEST(RuntimeTest, MalformedFilesAreErrorsNotCrashes) {
  const char *cases[][2] = {
      {"bad.npy", "\x93NUMPY\x01"},
      {"header.npy", "\x93NUMPY\x01\x00\x10\x00{'descr': '<f4'"},
      {"short.npy",
       "\x93NUMPY\x01\x00\x46\x00{'descr': '<f4', 'fortran_order': False, "
       "'shape': (4,), }          \n\x01\x02"},
      {"bad.pb", "\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"},
      {"type.pb", "\x10\x63"},
      {"other.txt", "x"}};
  for (const auto &[name, content] : cases) {
    std::string path = tempPath(name);
    std::ofstream(path, std::ios::binary) << content;
    loom_tensor *t = nullptr;
    EXPECT_NE(loom_tensor_read_file(path.c_str(), &t), LOOM_OK) << name;
    EXPECT_EQ(t, nullptr);
    EXPECT_STRNE(loom_last_error(), "");
    std::remove(path.c_str());
  }
  loom_tensor *t = nullptr;
  EXPECT_EQ(loom_tensor_read_file("/nonexistent/x.npy", &t), LOOM_ERROR_IO);
}

TEST(RuntimeTest, OpeningANonModelFails) {
  loom_model *model = nullptr;
  EXPECT_NE(loom_model_open("/nonexistent/model.so", &model), LOOM_OK);
  EXPECT_EQ(model, nullptr);
  // This test binary links no model.
  EXPECT_NE(loom_model_open_linked(&model), LOOM_OK);
  EXPECT_EQ(model, nullptr);
}

} // namespace
