#version 330 core
// A full-window quad: draws the cached heatmap layer onto the window (in place of
// glBlitFramebuffer, whose first use costs llvmpipe ~38 ms of blitter shaders at start-up).
layout(location = 0) in vec2 a_pos;  // [0,1]^2
void main() {
    gl_Position = vec4(a_pos * 2.0 - 1.0, 0.0, 1.0);
}
