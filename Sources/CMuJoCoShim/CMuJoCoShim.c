#include "CMuJoCoShim.h"

#include <GL/osmesa.h>
#include <math.h>
#include <stdlib.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static _Thread_local jmp_buf *guard;
static _Thread_local char last_error[1024];
static _Thread_local char last_warning[1024];

static void copy_message(char *to, const char *message) {
    strncpy(to, message ? message : "", 1023);
    to[1023] = 0;
}

static void on_error(const char *message) {
    copy_message(last_error, message);
    if (guard) longjmp(*guard, 1);
    // Not inside a guarded call: Mimic called MuJoCo in a way that can fail without a guard.
    char line[1200];
    int n = snprintf(line, sizeof line, "mimic: error: internal error: MuJoCo: %s\n", last_error);
    if (n > 0) { ssize_t ignored = write(2, line, (size_t)(n < (int)sizeof line ? n : (int)sizeof line - 1)); (void)ignored; }
    _exit(70);
}

static void on_warning(const char *message) { copy_message(last_warning, message); }

static void install(void) {
    mju_user_error = on_error;
    mju_user_warning = on_warning;
}

void mimic_mj_install_handlers(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install);
}

const char *mimic_mj_last_error(void) { return last_error; }
const char *mimic_mj_last_warning(void) { return last_warning; }

// Runs CALL with the guard set; on a MuJoCo error returns FAILED. `saved` is volatile because
// it is read after longjmp.
#define GUARDED(CALL, OK, FAILED)                     \
    jmp_buf here;                                     \
    jmp_buf *volatile saved = guard;                  \
    last_error[0] = 0;                                \
    if (setjmp(here)) {                               \
        guard = saved;                                \
        return FAILED;                                \
    }                                                 \
    guard = &here;                                    \
    CALL;                                             \
    guard = saved;                                    \
    return OK;

int mimic_mj_step1(const mjModel *m, mjData *d) { GUARDED(mj_step1(m, d), 0, -1) }
int mimic_mj_step2(const mjModel *m, mjData *d) { GUARDED(mj_step2(m, d), 0, -1) }
int mimic_mj_forward(const mjModel *m, mjData *d) { GUARDED(mj_forward(m, d), 0, -1) }
int mimic_mj_step(const mjModel *m, mjData *d) { GUARDED(mj_step(m, d), 0, -1) }
int mimic_mj_setConst(mjModel *m, mjData *d) { GUARDED(mj_setConst(m, d), 0, -1) }

mjData *mimic_mj_makeData(const mjModel *m) {
    mjData *volatile made = NULL;
    GUARDED(made = mj_makeData(m), made, NULL)
}

mjModel *mimic_mj_copyModel(const mjModel *m) {
    mjModel *volatile made = NULL;
    GUARDED(made = mj_copyModel(NULL, m), made, NULL)
}

mjModel *mimic_mj_loadXML(const char *filename, const mjVFS *vfs, char *error, int error_size) {
    mjModel *volatile made = NULL;
    GUARDED(made = mj_loadXML(filename, vfs, error, error_size), made, NULL)
}

struct mimic_gl {
    OSMesaContext context;
    float *buffer;
    int width, height;
};

mimic_gl *mimic_gl_create(int width, int height, char *error, int error_size) {
    OSMesaContext context = OSMesaCreateContextExt(OSMESA_RGBA, 24, 8, 0, NULL);
    if (!context) {
        snprintf(error, (size_t)error_size, "OSMesa could not create a GL context (is libosmesa6 installed?)");
        return NULL;
    }
    mimic_gl *gl = calloc(1, sizeof *gl);
    float *buffer = calloc((size_t)width * (size_t)height * 4, sizeof(float));
    if (!gl || !buffer) {
        free(gl);
        free(buffer);
        OSMesaDestroyContext(context);
        snprintf(error, (size_t)error_size, "out of memory for a %dx%d GL buffer", width, height);
        return NULL;
    }
    gl->context = context;
    gl->buffer = buffer;
    gl->width = width;
    gl->height = height;
    return gl;
}

int mimic_gl_make_current(mimic_gl *gl) {
    return OSMesaMakeCurrent(gl->context, gl->buffer, GL_FLOAT, gl->width, gl->height) ? 0 : -1;
}

void mimic_gl_release(void) { OSMesaMakeCurrent(NULL, NULL, GL_FLOAT, 0, 0); }

void mimic_gl_free(mimic_gl *gl) {
    if (!gl) return;
    OSMesaDestroyContext(gl->context);
    free(gl->buffer);
    free(gl);
}

int mimic_mjr_makeOffscreenContext(const mjModel *m, mjrContext *con, int width, int height) {
    GUARDED(
        mjr_makeContext(m, con, mjFONTSCALE_150); mjr_setBuffer(mjFB_OFFSCREEN, con);
        mjr_resizeOffscreen(width, height, con), 0, -1)
}

void mimic_mjr_copyMaterialTextures(const mjModel *m, mjrContext *con) {
    int n = m->nmat < mjMAXMATERIAL ? m->nmat : mjMAXMATERIAL;
    memcpy(con->mat_texid, m->mat_texid, sizeof(int) * (size_t)n * mjNTEXROLE);
}

// Whether a sphere (centre c, radius r) lies wholly outside the view frustum of `cam` for a
// viewport of aspect `aspect`, as mjr_render projects it (glFrustum of frustum_center +/- halfwidth,
// frustum_bottom..frustum_top at frustum_near, out to frustum_far).
static int outside_frustum(const mjvGLCamera *cam, float aspect, const float c[3], float r) {
    float right[3] = {
        cam->forward[1] * cam->up[2] - cam->forward[2] * cam->up[1],
        cam->forward[2] * cam->up[0] - cam->forward[0] * cam->up[2],
        cam->forward[0] * cam->up[1] - cam->forward[1] * cam->up[0]};
    float v[3] = {c[0] - cam->pos[0], c[1] - cam->pos[1], c[2] - cam->pos[2]};
    float x = v[0] * right[0] + v[1] * right[1] + v[2] * right[2];
    float y = v[0] * cam->up[0] + v[1] * cam->up[1] + v[2] * cam->up[2];
    float z = v[0] * cam->forward[0] + v[1] * cam->forward[1] + v[2] * cam->forward[2];
    float n = cam->frustum_near;
    float half = cam->frustum_width ? cam->frustum_width : 0.5f * aspect * (cam->frustum_top - cam->frustum_bottom);
    float left = cam->frustum_center - half, rightEdge = cam->frustum_center + half;
    if (z < n - r || z > cam->frustum_far + r) return 1;
    // Signed distances to the four side planes through the eye, positive inside.
    float planes[4][3] = {{n, 0, -left}, {-n, 0, rightEdge}, {0, n, -cam->frustum_bottom}, {0, -n, cam->frustum_top}};
    for (int i = 0; i < 4; i++) {
        float length = sqrtf(planes[i][0] * planes[i][0] + planes[i][1] * planes[i][1] + planes[i][2] * planes[i][2]);
        if ((planes[i][0] * x + planes[i][1] * y + planes[i][2] * z) / length < -r) return 1;
    }
    return 0;
}

// The reflective surfaces mjr_render mirrors the scene in: planes, and the +z face of boxes,
// with reflectance > 0, that the camera is in front of.
static int is_reflective(const mjvGeom *g) { return g->reflectance > 0 && (g->type == mjGEOM_PLANE || g->type == mjGEOM_BOX); }

int mimic_cull_scene(const mjModel *m, mjvScene *scn, int width, int height) {
    if (scn->stereo || scn->enabletransform) return 0;
    if (scn->flags[mjRND_SHADOW])
        for (int i = 0; i < scn->nlight; i++)
            if (scn->lights[i].castshadow) return 0;  // every geom may cast a visible shadow
    mjvGLCamera cam = mjv_averageCamera(scn->camera, scn->camera + 1);
    if (cam.orthographic || cam.frustum_near <= 0) return 0;
    float aspect = (float)width / (float)height;
    // Mirror planes (point, unit normal) the camera is in front of.
    float mirrorPoint[8][3], mirrorNormal[8][3];
    int mirrors = 0;
    if (scn->flags[mjRND_REFLECTION]) {
        for (int i = 0; i < scn->ngeom; i++) {
            const mjvGeom *g = scn->geoms + i;
            if (!is_reflective(g)) continue;
            if (mirrors == 8) return 0;
            float nrm[3] = {g->mat[2], g->mat[5], g->mat[8]};
            float off = g->type == mjGEOM_BOX ? g->size[2] : 0;
            float q[3] = {g->pos[0] + off * nrm[0], g->pos[1] + off * nrm[1], g->pos[2] + off * nrm[2]};
            float side = (cam.pos[0] - q[0]) * nrm[0] + (cam.pos[1] - q[1]) * nrm[1] + (cam.pos[2] - q[2]) * nrm[2];
            if (side < 0) continue;  // camera behind: mjr_render shows no reflection
            for (int k = 0; k < 3; k++) {
                mirrorPoint[mirrors][k] = q[k];
                mirrorNormal[mirrors][k] = nrm[k];
            }
            mirrors++;
        }
    }
    int kept = 0;
    for (int i = 0; i < scn->ngeom; i++) {
        const mjvGeom *g = scn->geoms + i;
        int keep = 1;
        if (g->objtype == mjOBJ_GEOM && g->objid >= 0 && g->objid < m->ngeom && !is_reflective(g)) {
            float r = (float)m->geom_rbound[g->objid];
            if (r > 0) {
                r = r * 1.001f + 1e-4f;
                keep = !outside_frustum(&cam, aspect, g->pos, r);
                for (int k = 0; k < mirrors && !keep; k++) {
                    const float *q = mirrorPoint[k], *nrm = mirrorNormal[k];
                    float d = (g->pos[0] - q[0]) * nrm[0] + (g->pos[1] - q[1]) * nrm[1] + (g->pos[2] - q[2]) * nrm[2];
                    float image[3] = {g->pos[0] - 2 * d * nrm[0], g->pos[1] - 2 * d * nrm[1], g->pos[2] - 2 * d * nrm[2]};
                    keep = !outside_frustum(&cam, aspect, image, r);
                }
            }
        }
        if (keep) {
            if (kept != i) scn->geoms[kept] = scn->geoms[i];
            kept++;
        }
    }
    int removed = scn->ngeom - kept;
    scn->ngeom = kept;
    return removed;
}

int mimic_mjr_renderCamera(
    const mjModel *m, mjData *d, const mjvOption *opt, mjvPerturb *pert, mjvCamera *cam, mjvScene *scn, mjrContext *con,
    int width, int height, int cull, unsigned char *rgb, float *depth) {
    mjrRect viewport = {0, 0, width, height};
    GUARDED(
        mjv_updateScene(m, d, opt, pert, cam, mjCAT_ALL, scn); if (cull) mimic_cull_scene(m, scn, width, height);
        mjr_render(viewport, scn, con); mjr_readPixels(rgb, depth, viewport, con), 0, -1)
}
