// Tables by aggregate; each later issue adds its own module here.
export {};
