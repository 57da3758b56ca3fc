#include "CMuJoCoShim.h"

#include <GL/osmesa.h>
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

int mimic_mjr_renderCamera(
    const mjModel *m, mjData *d, const mjvOption *opt, mjvPerturb *pert, mjvCamera *cam, mjvScene *scn, mjrContext *con,
    int width, int height, unsigned char *rgb, float *depth) {
    mjrRect viewport = {0, 0, width, height};
    GUARDED(
        mjv_updateScene(m, d, opt, pert, cam, mjCAT_ALL, scn); mjr_render(viewport, scn, con);
        mjr_readPixels(rgb, depth, viewport, con), 0, -1)
}
