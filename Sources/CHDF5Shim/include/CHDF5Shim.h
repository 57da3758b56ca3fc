#ifndef CHDF5_SHIM_H
#define CHDF5_SHIM_H

/// The parts of the HDF5 C API that Swift cannot import (macros that expand to
/// global variables or casts, and calls whose name changed between 1.10 and 1.12+),
/// as plain functions. Every function here is a one-liner over the macro or call it names.

#include <hdf5.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: Library setup

/// Turns off HDF5's automatic error printing (H5Eset_auto2(H5E_DEFAULT, NULL, NULL)) for the
/// calling thread, once per thread. In a thread-safe HDF5 build the error-reporting setting is
/// per thread, so this is called before every HDF5 call; after the first time it is one branch.
void mimic_h5_prepare_thread(void);

/// Writes the description of the innermost error on the calling thread's HDF5 error stack
/// (the place the error was first detected, e.g. "truncated file: eof = 96, ...") into
/// `buffer` (NUL-terminated, truncated to `capacity`). Writes "" when the stack is empty.
void mimic_h5_last_error(char *buffer, size_t capacity);

/// H5is_library_threadsafe: 1 if this libhdf5 serializes calls itself, 0 otherwise.
int mimic_h5_is_threadsafe(void);

// MARK: Constants

hid_t mimic_h5p_default(void);          ///< H5P_DEFAULT
hid_t mimic_h5s_all(void);              ///< H5S_ALL
unsigned mimic_h5f_acc_rdonly(void);    ///< H5F_ACC_RDONLY
unsigned mimic_h5f_acc_rdwr(void);      ///< H5F_ACC_RDWR
unsigned mimic_h5f_acc_trunc(void);     ///< H5F_ACC_TRUNC
hid_t mimic_h5p_file_access(void);      ///< H5P_FILE_ACCESS (class, for H5Pcreate)
hid_t mimic_h5p_link_create(void);      ///< H5P_LINK_CREATE (class, for H5Pcreate)
size_t mimic_h5t_variable(void);        ///< H5T_VARIABLE
hsize_t mimic_h5s_unlimited(void);      ///< H5S_UNLIMITED
int mimic_h5z_filter_deflate(void);     ///< H5Z_FILTER_DEFLATE
int mimic_h5z_filter_shuffle(void);     ///< H5Z_FILTER_SHUFFLE

// MARK: Predefined datatypes (do not close these)

hid_t mimic_h5t_native_float(void);     ///< H5T_NATIVE_FLOAT
hid_t mimic_h5t_native_double(void);    ///< H5T_NATIVE_DOUBLE
hid_t mimic_h5t_native_int8(void);      ///< H5T_NATIVE_INT8
hid_t mimic_h5t_native_int16(void);     ///< H5T_NATIVE_INT16
hid_t mimic_h5t_native_int32(void);     ///< H5T_NATIVE_INT32
hid_t mimic_h5t_native_int64(void);     ///< H5T_NATIVE_INT64
hid_t mimic_h5t_native_uint8(void);     ///< H5T_NATIVE_UINT8
hid_t mimic_h5t_native_uint16(void);    ///< H5T_NATIVE_UINT16
hid_t mimic_h5t_native_uint32(void);    ///< H5T_NATIVE_UINT32
hid_t mimic_h5t_native_uint64(void);    ///< H5T_NATIVE_UINT64
hid_t mimic_h5t_ieee_f32le(void);       ///< H5T_IEEE_F32LE (file type, as numpy/h5py write '<f4')
hid_t mimic_h5t_ieee_f64le(void);       ///< H5T_IEEE_F64LE
hid_t mimic_h5t_std_i8le(void);         ///< H5T_STD_I8LE
hid_t mimic_h5t_std_i16le(void);        ///< H5T_STD_I16LE
hid_t mimic_h5t_std_i32le(void);        ///< H5T_STD_I32LE
hid_t mimic_h5t_std_i64le(void);        ///< H5T_STD_I64LE
hid_t mimic_h5t_std_u8le(void);         ///< H5T_STD_U8LE
hid_t mimic_h5t_std_u16le(void);        ///< H5T_STD_U16LE
hid_t mimic_h5t_std_u32le(void);        ///< H5T_STD_U32LE
hid_t mimic_h5t_std_u64le(void);        ///< H5T_STD_U64LE
hid_t mimic_h5t_c_s1(void);             ///< H5T_C_S1 (copy it with H5Tcopy before changing it)

// MARK: Calls whose name or signature differs between HDF5 versions

/// H5Fis_hdf5 (1.10) / H5Fis_accessible (1.12+): >0 yes, 0 no, <0 error.
htri_t mimic_h5f_is_hdf5(const char *path);

/// Number of attributes on an object (H5Oget_info2 / H5Oget_info3 with the num_attrs field);
/// -1 on error.
long long mimic_h5o_num_attrs(hid_t object);

/// The identity of an open object: the number of its file and its address (1.10) or token
/// (1.12+), copied into `token` (16 bytes, zero-padded). Two ids name the same object exactly
/// when both are equal. Returns a negative value on error.
herr_t mimic_h5o_identity(hid_t object, unsigned long *fileno, unsigned char token[16]);

/// Called by mimic_h5l_iterate_names with each link's name (NUL-terminated, valid only during
/// the call) and the caller's context: 0 to go on, nonzero to stop the iteration.
typedef int (*mimic_h5l_name_visitor)(const char *name, void *context);

/// H5Literate (1.10) / H5Literate2 (1.12+) over the links of `group` in one pass, by the name
/// index in its native order (H5_INDEX_NAME, H5_ITER_NATIVE: name order for old-style groups,
/// name-hash order for dense ones, so the caller sorts), calling `visit(name, context)` for each.
/// Native order walks the index itself: H5_ITER_INC would first build a table sized by the
/// group's stored link count, which libhdf5 does not check against the index (a damaged count
/// overruns it). Returns 0 after the last link, the visitor's value if it stopped the iteration
/// with a positive one, a negative value on failure (or a negative visitor).
herr_t mimic_h5l_iterate_names(hid_t group, mimic_h5l_name_visitor visit, void *context);

/// Marks the file descriptor of an open file (sec2 driver) close-on-exec, so that a child
/// process started while the file is open does not inherit it, and with it the file's lock
/// (HDF5 opens files without O_CLOEXEC). Returns a negative value when it cannot.
int mimic_h5f_set_cloexec(hid_t file);

/// H5Treclaim (1.12+) / H5Dvlen_reclaim (1.10): frees the variable-length data H5Dread/H5Aread put in `buffer`.
herr_t mimic_h5_reclaim(hid_t memory_type, hid_t space, void *buffer);

/// A new link-creation property list with intermediate-group creation on
/// (H5Pcreate(H5P_LINK_CREATE) + H5Pset_create_intermediate_group(1)); close it with H5Pclose.
hid_t mimic_h5p_create_lcpl_intermediate(void);

/// A new file-access property list with H5F_CLOSE_STRONG, so H5Fclose closes every object
/// still open in the file and really releases it (and its file lock); close it with H5Pclose.
hid_t mimic_h5p_create_fapl_strong_close(void);
/// File format of HDF5 1.10 (single-chunk and fixed-array chunk indexes, compact object headers),
/// whatever the library's version: the same bytes from every libhdf5 >= 1.10.
herr_t mimic_h5p_set_libver_v110(hid_t fapl);
/// A file-creation list that records no times for the root group; with shared_attributes_from > 0, attribute messages of at least that many
/// bytes are stored once per distinct value (HDF5 shared object-header messages).
hid_t mimic_h5p_create_fcpl(unsigned shared_attributes_from);
/// The default group-creation list records no object times (HDF5 uses it for the superblock
/// extension of a file with a shared-message index).
herr_t mimic_h5p_untime_default_groups(void);

/* Group / dataset creation property lists that do not record object times, so the same
   content always gives the same bytes (reproducible output). The caller closes them. */
hid_t mimic_h5p_create_gcpl_untimed(void);
hid_t mimic_h5p_create_dcpl_untimed(void);

#ifdef __cplusplus
}
#endif

#endif
