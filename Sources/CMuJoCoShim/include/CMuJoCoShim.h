#ifndef CMUJOCO_SHIM_H
#define CMUJOCO_SHIM_H

/// MuJoCo calls that can raise a MuJoCo error (mju_error: an allocation that does not fit,
/// a stack overflow inside a step), guarded so that the error comes back as a return code and
/// a message instead of MuJoCo's default handler, which prints and calls exit().
///
/// Mimic's error handler is installed once per process (mimic_mj_install_handlers). Inside a
/// guarded call it stores MuJoCo's message in a thread-local buffer and jumps back (longjmp)
/// to the guard, which returns -1 (or NULL); the mjData is then in an unspecified state and
/// must be reset (mj_resetData) before it is used again. An error raised outside a guarded call
/// is a programming error in Mimic: the handler prints one line and ends the process with
/// exit code 70 (internal error). MuJoCo's warnings are counted in mjData.warning; the
/// handler keeps only the last message (no MUJOCO_LOG.TXT, nothing on stdout).

#include <mujoco/mujoco.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Installs the error and warning handlers (mju_user_error, mju_user_warning); idempotent.
void mimic_mj_install_handlers(void);

/// The message of the last MuJoCo error raised on the calling thread ("" if none).
const char *mimic_mj_last_error(void);

/// The message of the last MuJoCo warning raised on the calling thread ("" if none).
const char *mimic_mj_last_warning(void);

/// mj_step1, mj_step2, mj_forward, mj_step, mj_setConst: 0, or -1 after a MuJoCo error.
int mimic_mj_step1(const mjModel *m, mjData *d);
int mimic_mj_step2(const mjModel *m, mjData *d);
int mimic_mj_forward(const mjModel *m, mjData *d);
int mimic_mj_step(const mjModel *m, mjData *d);
int mimic_mj_setConst(mjModel *m, mjData *d);

/// mj_makeData, mj_copyModel(NULL, m) and mj_loadXML: the new object, or NULL after a MuJoCo
/// error (for mj_loadXML, also when it reports a compiler error in `error` as usual).
mjData *mimic_mj_makeData(const mjModel *m);
mjModel *mimic_mj_copyModel(const mjModel *m);
mjModel *mimic_mj_loadXML(const char *filename, const mjVFS *vfs, char *error, int error_size);

/// An offscreen OpenGL context for MuJoCo's renderer: OSMesa's software rasterizer (Mesa's
/// llvmpipe), the context robosuite and MuJoCo's Python bindings make with MUJOCO_GL=osmesa
/// (RGBA, 24 depth bits, 8 stencil bits, a float colour buffer). MuJoCo draws into its own
/// offscreen framebuffer; the context's buffer is only what makes it current.
typedef struct mimic_gl mimic_gl;

/// A new context with a width x height buffer, or NULL (message in `error`).
mimic_gl *mimic_gl_create(int width, int height, char *error, int error_size);
/// Makes `gl` current on the calling thread: 0, or -1.
int mimic_gl_make_current(mimic_gl *gl);
/// Leaves the calling thread without a current context.
void mimic_gl_release(void);
/// Frees `gl` (not current on any thread).
void mimic_gl_free(mimic_gl *gl);

/// mjr_makeContext followed by mjr_setBuffer(mjFB_OFFSCREEN) and mjr_resizeOffscreen(width,
/// height), on the current GL context: 0, or -1 after a MuJoCo error.
int mimic_mjr_makeOffscreenContext(const mjModel *m, mjrContext *con, int width, int height);
/// Copies the model's material texture ids (`mat_texid`) into the rendering context, which took
/// its own copy in mjr_makeContext (at most mjMAXMATERIAL materials).
void mimic_mjr_copyMaterialTextures(const mjModel *m, mjrContext *con);

/// Removes from `scn` (after mjv_updateScene) the model geoms that cannot put a pixel into a
/// width x height image: those whose bounding sphere (geom_rbound around the geom's position) is
/// wholly outside the camera's view frustum, as mjr_render projects it, and whose mirror image in
/// every reflective plane or box the camera faces is outside it too. Reflective geoms, decor and
/// geoms without a bounding radius stay; nothing is removed when a light casts shadows (any geom
/// may shade a visible one), for stereo, orthographic or transformed scenes. The order of the
/// remaining geoms is kept, so mjr_render draws the same pixels. Returns how many it removed.
int mimic_cull_scene(const mjModel *m, mjvScene *scn, int width, int height);

/// mjv_updateScene (all categories), with `cull` mimic_cull_scene, then mjr_render and
/// mjr_readPixels of the (0, 0, width, height) viewport: rows bottom to top, as OpenGL reads
/// them. `depth` may be NULL. 0, or -1.
int mimic_mjr_renderCamera(
    const mjModel *m, mjData *d, const mjvOption *opt, mjvPerturb *pert, mjvCamera *cam, mjvScene *scn, mjrContext *con,
    int width, int height, int cull, unsigned char *rgb, float *depth);

#ifdef __cplusplus
}
#endif

#endif
