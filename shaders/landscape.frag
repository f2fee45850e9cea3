#version 330 core
// Landscape heatmap: loss value -> perceptually uniform colour map (linear or log scale), with
// isolines computed here: a level set where the scaled value crosses k/levels, drawn about one
// pixel wide with fwidth() so its width does not depend on the zoom.
in vec2 v_uv;
uniform sampler2D u_loss;  // R32F loss grid; values >= 1e30 mark "not finite"
uniform sampler2D u_lut;   // 256 x 2 colour maps (row 0 viridis, row 1 cividis)
uniform float u_lut_row;   // texture row centre: 0.25 or 0.75
uniform vec2 u_range;      // f_min, f_max of the colour scale
uniform int u_log;         // 1: logarithmic scale
uniform float u_log_floor; // log scale starts at f_min + floor * (f_max - f_min)
uniform float u_levels;    // number of isolines over the scale
uniform float u_iso;       // isoline strength 0..1
uniform float u_wash;      // 0..1 mix towards the background (keeps trajectories readable)
uniform vec3 u_bg;         // background colour
out vec4 frag;

float scaled(float f) {
    float span = max(u_range.y - u_range.x, 1e-30);
    float x = max(f - u_range.x, 0.0);
    if (u_log == 1) {
        float d = u_log_floor * span;
        return (log(x + d) - log(d)) / (log(span + d) - log(d));
    }
    return x / span;
}

void main() {
    float f = texture(u_loss, v_uv).r;
    if (f >= 1e30) {
        frag = vec4(mix(vec3(0.5), u_bg, 0.5), 1.0);
        return;
    }
    float t = clamp(scaled(f), 0.0, 1.0);
    vec3 c = texture(u_lut, vec2(t * (255.0 / 256.0) + 0.5 / 256.0, u_lut_row)).rgb;
    // Isolines: distance (in pixels) to the nearest level of t * levels.
    float l = scaled(f) * u_levels;
    float w = max(fwidth(l), 1e-6);
    float d = abs(fract(l + 0.5) - 0.5) / w;
    float line = 1.0 - smoothstep(0.6, 1.6, d);
    // Fade where levels crowd closer than a few pixels.
    line *= 1.0 - smoothstep(0.25, 0.5, w);
    line *= step(0.0, l) * step(l, u_levels);
    c = mix(c, c * 0.45, line * u_iso);
    c = mix(c, u_bg, u_wash);
    frag = vec4(c, 1.0);
}
