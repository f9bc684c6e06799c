/**
 * The browser side: lit web components for the live dashboard and the
 * embeddable capture widget. Nothing is built here yet; the gateway will
 * serve the bundles this folder produces.
 *
 * @module
 */
export {};
