// libpng (simplified API), for PNG images (inr task, image datasets).
#ifndef SPARSEIHT_CPNG_SHIM_H
#define SPARSEIHT_CPNG_SHIM_H
#include <png.h>
#include <string.h>

/// The simplified API's structure, zeroed, with its version set (PNG_IMAGE_VERSION is a macro).
static inline png_image sparseiht_png_image(void) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    return image;
}

/// The simplified API's format codes (function-like macros do not reach Swift).
static const png_uint_32 sparseiht_png_format_gray = PNG_FORMAT_GRAY;
static const png_uint_32 sparseiht_png_format_rgb = PNG_FORMAT_RGB;
static const png_uint_32 sparseiht_png_format_flag_color = PNG_FORMAT_FLAG_COLOR;
#endif
