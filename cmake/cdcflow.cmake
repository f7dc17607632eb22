# Build helpers: every target of ours goes through one of these, so warnings, include roots
# and test labels are set in one place.

# Warnings are errors on our code only (generated protobuf code is built without -Werror).
function(cdcflow_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wno-missing-field-initializers)
endfunction()

# cdcflow_library(<name> SRCS ... [DEPS ...]) -> target cdcflow_<name>, alias cdcflow::<name>.
function(cdcflow_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(cdcflow_${name} STATIC ${ARG_SRCS})
  add_library(cdcflow::${name} ALIAS cdcflow_${name})
  target_include_directories(cdcflow_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(cdcflow_${name} PUBLIC ${ARG_DEPS})
  cdcflow_warnings(cdcflow_${name})
endfunction()

# cdcflow_test(<name> SRCS ... [DEPS ...] [LABELS ...]) -> a gtest binary whose cases are
# discovered when ctest runs (not at build time, which would cost a run per build).
# Tests labelled "integration" need the local infrastructure (deploy/local/up).
function(cdcflow_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  cdcflow_warnings(${name})
  gtest_discover_tests(${name}
    DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()

# cdcflow_proto(<target> PROTOS ... [GRPC]) -> a library of the generated C++ (and gRPC stubs).
function(cdcflow_proto target)
  cmake_parse_arguments(ARG "GRPC" "" "PROTOS" ${ARGN})
  set(out_dir ${CMAKE_CURRENT_BINARY_DIR})
  set(srcs)
  foreach(proto ${ARG_PROTOS})
    get_filename_component(abs ${proto} ABSOLUTE)
    file(RELATIVE_PATH rel ${CMAKE_CURRENT_SOURCE_DIR} ${abs})
    string(REGEX REPLACE "\\.proto$" "" stem ${rel})
    set(outputs ${out_dir}/${stem}.pb.cc ${out_dir}/${stem}.pb.h)
    set(args --cpp_out=${out_dir})
    if(ARG_GRPC)
      list(APPEND outputs ${out_dir}/${stem}.grpc.pb.cc ${out_dir}/${stem}.grpc.pb.h)
      list(APPEND args --grpc_out=${out_dir} --plugin=protoc-gen-grpc=${GRPC_CPP_PLUGIN})
    endif()
    add_custom_command(
      OUTPUT ${outputs}
      COMMAND protobuf::protoc ARGS ${args} -I ${CMAKE_CURRENT_SOURCE_DIR} ${rel}
      WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
      DEPENDS ${abs} protobuf::protoc
      COMMENT "protoc ${rel}")
    list(APPEND srcs ${outputs})
  endforeach()
  add_library(${target} STATIC ${srcs})
  # Generated headers are included as "cdcflow/v1/x.pb.h".
  target_include_directories(${target} PUBLIC ${out_dir})
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf PkgConfig::GRPCPP)
endfunction()
