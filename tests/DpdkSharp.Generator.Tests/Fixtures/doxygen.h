/* Doxygen block tags, as DPDK, zlib and sqlite write them: they become <param>, <returns> and <remarks>. */

/**
 * @brief Sends a burst.
 *
 * Longer description,
 * on two lines.
 *
 * @param port
 *   The port.
 * @param[in] pkts The packets,
 *   continued here.
 * @param missing A parameter the C# does not have.
 * @return
 *   - 0: Success.
 *   - <0: Error & more.
 * @note Not thread safe.
 * @warning Blocks.
 */
int fx_send(int port, void **pkts);

/**
 * Checks a value.
 * @retval 0 Success.
 * @retval -EINVAL Bad argument.
 */
int fx_check(int x);

/** \brief Backslash tags too. \param v The value. */
int fx_backslash(int v);
