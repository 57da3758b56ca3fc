#include "CHDF5Shim.h"
#include <fcntl.h>
#include <string.h>

// MARK: Library setup

static _Thread_local int mimic_thread_prepared = 0;

void mimic_h5_prepare_thread(void) {
    if (mimic_thread_prepared) return;
    mimic_thread_prepared = 1;
    H5open();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

typedef struct {
    char *buffer;
    size_t capacity;
    int found;
} mimic_error_walk;

static herr_t mimic_error_walker(unsigned n, const H5E_error2_t *err, void *data) {
    mimic_error_walk *walk = (mimic_error_walk *)data;
    (void)n;
    if (walk->found || err == NULL) return 0;
    const char *text = err->desc;
    if (text == NULL || text[0] == '\0') text = err->func_name;
    if (text == NULL) return 0;
    strncpy(walk->buffer, text, walk->capacity - 1);
    walk->buffer[walk->capacity - 1] = '\0';
    walk->found = 1;
    return 0;
}

void mimic_h5_last_error(char *buffer, size_t capacity) {
    if (buffer == NULL || capacity == 0) return;
    buffer[0] = '\0';
    mimic_error_walk walk = { buffer, capacity, 0 };
    // H5E_WALK_UPWARD starts at the innermost frame: where the problem was found.
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, mimic_error_walker, &walk);
}

int mimic_h5_is_threadsafe(void) {
    hbool_t safe = 0;
    if (H5is_library_threadsafe(&safe) < 0) return 0;
    return safe ? 1 : 0;
}

// MARK: Constants

hid_t mimic_h5p_default(void) { return H5P_DEFAULT; }
hid_t mimic_h5s_all(void) { return H5S_ALL; }
unsigned mimic_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
unsigned mimic_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
unsigned mimic_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
hid_t mimic_h5p_file_access(void) { return H5P_FILE_ACCESS; }
hid_t mimic_h5p_link_create(void) { return H5P_LINK_CREATE; }
size_t mimic_h5t_variable(void) { return H5T_VARIABLE; }
hsize_t mimic_h5s_unlimited(void) { return H5S_UNLIMITED; }
int mimic_h5z_filter_deflate(void) { return H5Z_FILTER_DEFLATE; }
int mimic_h5z_filter_shuffle(void) { return H5Z_FILTER_SHUFFLE; }

// MARK: Predefined datatypes

hid_t mimic_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
hid_t mimic_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
hid_t mimic_h5t_native_int8(void) { return H5T_NATIVE_INT8; }
hid_t mimic_h5t_native_int16(void) { return H5T_NATIVE_INT16; }
hid_t mimic_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
hid_t mimic_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
hid_t mimic_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
hid_t mimic_h5t_native_uint16(void) { return H5T_NATIVE_UINT16; }
hid_t mimic_h5t_native_uint32(void) { return H5T_NATIVE_UINT32; }
hid_t mimic_h5t_native_uint64(void) { return H5T_NATIVE_UINT64; }
hid_t mimic_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
hid_t mimic_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
hid_t mimic_h5t_std_i8le(void) { return H5T_STD_I8LE; }
hid_t mimic_h5t_std_i16le(void) { return H5T_STD_I16LE; }
hid_t mimic_h5t_std_i32le(void) { return H5T_STD_I32LE; }
hid_t mimic_h5t_std_i64le(void) { return H5T_STD_I64LE; }
hid_t mimic_h5t_std_u8le(void) { return H5T_STD_U8LE; }
hid_t mimic_h5t_std_u16le(void) { return H5T_STD_U16LE; }
hid_t mimic_h5t_std_u32le(void) { return H5T_STD_U32LE; }
hid_t mimic_h5t_std_u64le(void) { return H5T_STD_U64LE; }
hid_t mimic_h5t_c_s1(void) { return H5T_C_S1; }

// MARK: Version-dependent calls

htri_t mimic_h5f_is_hdf5(const char *path) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Fis_accessible(path, H5P_DEFAULT);
#else
    return H5Fis_hdf5(path);
#endif
}

long long mimic_h5o_num_attrs(hid_t object) {
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info;
    if (H5Oget_info3(object, &info, H5O_INFO_NUM_ATTRS) < 0) return -1;
#else
    H5O_info_t info;
    if (H5Oget_info2(object, &info, H5O_INFO_NUM_ATTRS) < 0) return -1;
#endif
    return (long long)info.num_attrs;
}

herr_t mimic_h5o_identity(hid_t object, unsigned long *fileno, unsigned char token[16]) {
    memset(token, 0, 16);
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info;
    if (H5Oget_info3(object, &info, H5O_INFO_BASIC) < 0) return -1;
    memcpy(token, &info.token, sizeof(info.token) < 16 ? sizeof(info.token) : 16);
#else
    H5O_info_t info;
    if (H5Oget_info2(object, &info, H5O_INFO_BASIC) < 0) return -1;
    memcpy(token, &info.addr, sizeof(info.addr) < 16 ? sizeof(info.addr) : 16);
#endif
    *fileno = info.fileno;
    return 0;
}

typedef struct {
    mimic_h5l_name_visitor visit;
    void *context;
} mimic_link_name_walk;

#if H5_VERSION_GE(1, 12, 0)
static herr_t mimic_link_name_op(hid_t group, const char *name, const H5L_info2_t *info, void *data) {
#else
static herr_t mimic_link_name_op(hid_t group, const char *name, const H5L_info_t *info, void *data) {
#endif
    mimic_link_name_walk *walk = (mimic_link_name_walk *)data;
    (void)group;
    (void)info;
    return (herr_t)walk->visit(name, walk->context);
}

herr_t mimic_h5l_iterate_names(hid_t group, mimic_h5l_name_visitor visit, void *context) {
    mimic_link_name_walk walk = { visit, context };
    hsize_t index = 0;
#if H5_VERSION_GE(1, 12, 0)
    return H5Literate2(group, H5_INDEX_NAME, H5_ITER_NATIVE, &index, mimic_link_name_op, &walk);
#else
    return H5Literate(group, H5_INDEX_NAME, H5_ITER_NATIVE, &index, mimic_link_name_op, &walk);
#endif
}

int mimic_h5f_set_cloexec(hid_t file) {
    hid_t fapl = H5Fget_access_plist(file);
    if (fapl < 0) return -1;
    hid_t driver = H5Pget_driver(fapl);
    H5Pclose(fapl);
    if (driver != H5FD_SEC2) return -1;   // only sec2's handle is a file descriptor
    void *handle = NULL;
    if (H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) < 0 || handle == NULL) return -1;
    int fd = *(int *)handle;
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

herr_t mimic_h5_reclaim(hid_t memory_type, hid_t space, void *buffer) {
    // 1.10.8's H5Tpublic.h declares H5Treclaim, but Debian's libhdf5 1.10.8 does not export it.
#if H5_VERSION_GE(1, 12, 0)
    return H5Treclaim(memory_type, space, H5P_DEFAULT, buffer);
#else
    return H5Dvlen_reclaim(memory_type, space, H5P_DEFAULT, buffer);
#endif
}

hid_t mimic_h5p_create_lcpl_intermediate(void) {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    if (lcpl < 0) return lcpl;
    if (H5Pset_create_intermediate_group(lcpl, 1) < 0) {
        H5Pclose(lcpl);
        return -1;
    }
    return lcpl;
}

static hid_t untimed(hid_t list) {
    if (list < 0) return list;
    if (H5Pset_obj_track_times(list, 0) < 0) {
        H5Pclose(list);
        return -1;
    }
    return list;
}

hid_t mimic_h5p_create_gcpl_untimed(void) { return untimed(H5Pcreate(H5P_GROUP_CREATE)); }

hid_t mimic_h5p_create_dcpl_untimed(void) { return untimed(H5Pcreate(H5P_DATASET_CREATE)); }

hid_t mimic_h5p_create_fapl_strong_close(void) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) return fapl;
    if (H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0) {
        H5Pclose(fapl);
        return -1;
    }
    return fapl;
}

herr_t mimic_h5p_set_libver_v110(hid_t fapl) {
    return H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110);
}

herr_t mimic_h5p_untime_default_groups(void) {
    // HDF5 creates the superblock extension (which holds the shared-message table) with the
    // default group-creation list, which records times; no object Mimic creates should.
    return H5Pset_obj_track_times(H5P_GROUP_CREATE_DEFAULT, 0);
}

hid_t mimic_h5p_create_fcpl(unsigned shared_attributes_from) {
    // The root group's object header records no times either (reproducible bytes).
    hid_t fcpl = untimed(H5Pcreate(H5P_FILE_CREATE));
    if (fcpl < 0 || shared_attributes_from == 0) return fcpl;
    if (H5Pset_shared_mesg_nindexes(fcpl, 1) < 0
        || H5Pset_shared_mesg_index(fcpl, 0, H5O_SHMESG_ATTR_FLAG, shared_attributes_from) < 0) {
        H5Pclose(fcpl);
        return -1;
    }
    return fcpl;
}
