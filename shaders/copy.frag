#version 330 core
// The cached layer, pixel for pixel (same size as the window: texelFetch, no filtering).
uniform sampler2D u_layer;
out vec4 frag;
void main() {
    frag = texelFetch(u_layer, ivec2(gl_FragCoord.xy), 0);
}
