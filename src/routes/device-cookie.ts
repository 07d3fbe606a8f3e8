import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { DeviceInput } from "../services/identity/accounts.ts";
import { DEVICE_COOKIE, DEVICE_COOKIE_DAYS, type IssuedDevice } from "../services/identity/devices.ts";
import type { AppEnv } from "../types.ts";

/** The request's `__Host-device` cookie with the secret that verifies it, for the services. */
export function deviceInput(c: Context<AppEnv>): DeviceInput {
  return { secret: c.var.config.DEVICE_COOKIE_SECRET, cookie: getCookie(c, DEVICE_COOKIE, "host") };
}

/**
 * Sets `__Host-device`: HttpOnly (no script reads it), Secure, SameSite=Strict (no other site sends it),
 * Path=/, no Domain, for as long as its signature is valid.
 */
export function setDeviceCookie(c: Context<AppEnv>, device: IssuedDevice) {
  setCookie(c, DEVICE_COOKIE, device.value, {
    prefix: "host",
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Strict",
    maxAge: DEVICE_COOKIE_DAYS * 86_400,
  });
}
