# Every third-party dependency, found once, from Debian's packages (deploy/local/install-deps).
# Debian 12 ships CMake packages for absl, spdlog, fmt, yaml-cpp, prometheus-cpp, GTest and
# benchmark; gRPC and librdkafka are used through their pkg-config files.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(absl REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(prometheus-cpp REQUIRED)
find_package(Protobuf REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
# Boost.Beast (header-only) serves the schema registry's REST API.
find_package(Boost 1.74 REQUIRED)

pkg_check_modules(GRPCPP REQUIRED IMPORTED_TARGET grpc++)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka++)
# rdkafka++.pc does not pull in the C library, whose admin and mock APIs libs/kafka uses.
pkg_check_modules(RDKAFKA_C REQUIRED IMPORTED_TARGET rdkafka)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(MARIADB REQUIRED IMPORTED_TARGET libmariadb)
find_package(simdjson REQUIRED)
find_library(GRPCPP_REFLECTION_LIBRARY grpc++_reflection REQUIRED)
find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)

if(CDCFLOW_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(CDCFLOW_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
